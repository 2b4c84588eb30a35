//! wxlogin as a library: [`core`] knows the WeChat login protocol (decrypt, verify, the API
//! client), [`mock`] is a stand-in for WeChat's servers to test a backend against.

pub mod core;
pub mod mock;
