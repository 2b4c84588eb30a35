//! `--app APPID:SECRET[:unionid]`, the one way a mini program is named on the command line,
//! for `mock-server` and for the embedded mock of `simulate` alike.

use crate::core::Error;

const EXAMPLE: &str = "e.g. --app wx1234567890abcdef:0123456789abcdef0123456789abcdef";

/// A mini program the mock should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSpec {
    pub appid: String,
    pub secret: String,
    /// Bound to an open-platform account (`:unionid`): its users get a unionid.
    pub unionid: bool,
}

impl AppSpec {
    /// One `APPID:SECRET` or `APPID:SECRET:unionid`, taken as written (no trimming). Errors
    /// are usage errors (exit 2) and never echo the value: it holds a secret.
    pub fn parse(spec: &str) -> Result<AppSpec, Error> {
        let mut parts = spec.splitn(3, ':');
        let (appid, secret, flag) = (parts.next(), parts.next(), parts.next());
        let (Some(appid), Some(secret)) = (appid, secret) else {
            return Err(Error::usage(
                "--app wants APPID:SECRET, got a value without ':'",
                EXAMPLE,
            ));
        };
        if appid.is_empty() || secret.is_empty() {
            return Err(Error::usage(
                "--app wants APPID:SECRET, with neither part empty",
                EXAMPLE,
            ));
        }
        let unionid = match flag {
            None => false,
            Some("unionid") => true,
            Some(_) => {
                return Err(Error::usage(
                    format!("--app {appid}:…: the only option after the secret is ':unionid'"),
                    "APPID:SECRET:unionid makes the app bound to an open-platform account",
                ));
            }
        };
        Ok(AppSpec {
            appid: appid.to_string(),
            secret: secret.to_string(),
            unionid,
        })
    }

    /// Every `--app` given, each appid once.
    pub fn parse_all(specs: &[String]) -> Result<Vec<AppSpec>, Error> {
        let mut apps: Vec<AppSpec> = Vec::with_capacity(specs.len());
        for spec in specs {
            let app = AppSpec::parse(spec)?;
            if apps.iter().any(|a| a.appid == app.appid) {
                return Err(Error::usage(
                    format!("--app {} is given twice", app.appid),
                    "give each app once",
                ));
            }
            apps.push(app);
        }
        Ok(apps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::exit;

    #[test]
    fn app_specs() {
        let specs = vec!["wxa:s1".to_string(), "wxb:s2:unionid".to_string()];
        let apps = AppSpec::parse_all(&specs).unwrap();
        assert_eq!(apps.len(), 2);
        assert!(!apps[0].unionid && apps[1].unionid);
        let err = AppSpec::parse("wxa-secretvalue").unwrap_err();
        assert!(!err.to_string().contains("secretvalue"));
        assert_eq!(err.exit_code(), exit::USAGE);
        assert!(AppSpec::parse("wxa:s:other").is_err());
        assert!(AppSpec::parse(":s").is_err() && AppSpec::parse("wxa:").is_err());
        assert!(AppSpec::parse_all(&["wxa:s".to_string(), "wxa:t".to_string()]).is_err());
        // Taken as written: spaces are part of the value, not trimmed away.
        assert_eq!(AppSpec::parse(" wxa:s ").unwrap().appid, " wxa");
    }
}
