//! WeChat's HTTP API client (jscode2session, access token, check-session, phone number).
