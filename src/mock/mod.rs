//! The mock WeChat server (axum): WeChat's routes, control routes that play the client, state.
