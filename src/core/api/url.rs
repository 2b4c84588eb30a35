//! The base-URL policy: http(s) only, no credentials, query or fragment, and plain http only to
//! a loopback host unless the user insists (the appsecret travels in the query).

use reqwest::Url;

use crate::core::error::{Error, Result};
use crate::core::redact::redact_text;

pub(super) fn parse_base_url(text: &str, insecure: bool) -> Result<Url> {
    let bad = |message: String, hint: &str| Error::input("base URL", message, hint);
    let url = Url::parse(text.trim()).map_err(|e| {
        bad(
            format!("{:?} is not a URL: {e}", redact_text(text, &[])),
            "give the API root, e.g. https://api.weixin.qq.com or http://127.0.0.1:8080",
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad(
            format!("{} is not an http(s) URL", url.scheme()),
            "give the API root, e.g. https://api.weixin.qq.com or http://127.0.0.1:8080",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "the URL carries a user name or password".to_string(),
            "WeChat's API takes no HTTP credentials; drop the user:password@ part",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad(
            "the URL carries a query or fragment".to_string(),
            "give only the API root; wxlogin adds each API's path and parameters",
        ));
    }
    if url.scheme() == "http" && !insecure && !is_loopback(&url) {
        return Err(bad(
            format!(
                "plain http to {} would send the appsecret across the network unencrypted",
                url.host_str().unwrap_or_default()
            ),
            "use https, a loopback address (127.0.0.1, localhost), or pass --insecure if you mean it",
        ));
    }
    Ok(url)
}

pub(super) fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let host = host.to_ascii_lowercase();
            host == "localhost" || host.ends_with(".localhost")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Client, ClientConfig};

    #[test]
    fn plain_http_is_refused_off_loopback() {
        let cfg = |url: &str, insecure| ClientConfig {
            base_url: url.to_string(),
            insecure,
            ..ClientConfig::default()
        };
        assert!(Client::new(cfg("http://127.0.0.1:8080", false)).is_ok());
        assert!(Client::new(cfg("http://localhost:1", false)).is_ok());
        assert!(Client::new(cfg("http://[::1]:1/", false)).is_ok());
        assert!(Client::new(cfg("https://api.weixin.qq.com", false)).is_ok());
        let err = Client::new(cfg("http://example.com", false)).unwrap_err();
        assert_eq!(err.exit_code(), 3);
        assert!(Client::new(cfg("http://example.com", true)).is_ok());
        assert!(Client::new(cfg("ftp://example.com", true)).is_err());
        assert!(Client::new(cfg("https://u:p@example.com", false)).is_err());
        assert!(Client::new(cfg("https://example.com/?a=1", false)).is_err());
        assert!(Client::new(cfg("not a url", false)).is_err());
    }
}
