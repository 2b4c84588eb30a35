//! The flow file's TOML schema as serde reads it, every field spanned to locate complaints;
//! the checks that turn it into a `Flow` live in `mod.rs` (the file) and `step.rs` (a step).

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFlow {
    pub(super) backend: Option<Spanned<String>>,
    pub(super) appid: Option<Spanned<String>>,
    pub(super) secret: Option<Spanned<String>>,
    pub(super) timeout: Option<Spanned<f64>>,
    pub(super) code_ttl: Option<Spanned<i64>>,
    pub(super) platform: Option<Spanned<String>>,
    pub(super) corpid: Option<Spanned<String>>,
    pub(super) corpsecret: Option<Spanned<String>>,
    pub(super) steps: Option<Spanned<Vec<Spanned<RawStep>>>>,
}

pub(super) type SpannedMap = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    pub(super) name: Option<String>,
    pub(super) wx: Option<Spanned<String>>,
    pub(super) post: Option<Spanned<String>>,
    pub(super) get: Option<Spanned<String>>,
    pub(super) put: Option<Spanned<String>>,
    pub(super) delete: Option<Spanned<String>>,
    pub(super) sleep: Option<Spanned<f64>>,
    pub(super) json: Option<Spanned<toml::Value>>,
    pub(super) form: Option<Spanned<SpannedMap>>,
    pub(super) headers: Option<Spanned<SpannedMap>>,
    pub(super) capture: Option<Spanned<SpannedMap>>,
    pub(super) expect: Option<Spanned<SpannedMap>>,
    pub(super) openid: Option<Spanned<String>>,
    /// WeCom: the corp member `wx.qy.login` logs in.
    pub(super) userid: Option<Spanned<String>>,
    /// Douyin: an anonymous `tt.login` (`anonymousCode`).
    pub(super) anonymous: Option<Spanned<bool>>,
    #[serde(rename = "userInfo")]
    pub(super) user_info: Option<Spanned<toml::Value>>,
    #[serde(rename = "phoneNumber")]
    pub(super) phone_number: Option<Spanned<String>>,
    /// A wx step's name for its results: `as = "first"` gives `{{first.code}}`.
    #[serde(rename = "as")]
    pub(super) alias: Option<Spanned<String>>,
}
