//! Typed payloads of the handshake: the jscode2session answer, the decrypted user-info and
//! phone-number plaintexts, and the watermark both carry.

use serde::{Deserialize, Serialize};

use super::secret::Secret;

/// `watermark` inside every decrypted payload: which app it was made for, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watermark {
    #[serde(default)]
    pub appid: String,
    #[serde(default)]
    pub timestamp: i64,
}

/// Reads only the watermark of a plaintext, skipping every other field without building a tree.
#[derive(Deserialize)]
pub struct WatermarkOnly {
    pub watermark: Option<Watermark>,
}

/// Decrypted `wx.getUserInfo` data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInfo {
    pub open_id: String,
    pub nick_name: String,
    pub gender: i64,
    pub language: String,
    pub city: String,
    pub province: String,
    pub country: String,
    pub avatar_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub union_id: Option<String>,
    pub watermark: Watermark,
}

/// Decrypted phone-number data. `countryCode` is a string here but a number in the newer
/// `getuserphonenumber` API's `phone_info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhoneInfo {
    pub phone_number: String,
    pub pure_phone_number: String,
    pub country_code: String,
    pub watermark: Watermark,
}

/// A successful jscode2session answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub openid: String,
    pub session_key: Secret,
    pub unionid: Option<String>,
}
