//! Scripted plays of the login handshake: the flow files `wxlogin simulate` drives a backend
//! with, and the fixed script of `wxlogin demo`, both rendered as sequence diagrams.

pub mod backend;
pub mod demo;
pub mod diagnose;
pub mod diagram;
pub mod embedded;
pub mod flow;
pub mod lang;
pub mod mocklink;
pub mod render;
pub mod report;
pub mod run;
pub mod template;
