//! The public profile a mock user shows in `wx.getUserInfo`: realistic values, often CJK or
//! emoji, since those are what break re-serialised rawData and naive string handling.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::entropy::Entropy;
use super::reply::Refusal;

/// The `userInfo` object, fields in the order WeChat's `rawData` has them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub nick_name: String,
    pub gender: i64,
    pub language: String,
    pub city: String,
    pub province: String,
    pub country: String,
    pub avatar_url: String,
}

const NICKNAMES: &[&str] = &[
    "微信用户",
    "Band",
    "小明",
    "韩梅梅",
    "李雷🏀",
    "🍊橘子汽水",
    "阿狸🦊",
    "Zoë",
    "Ocean 🌊",
    "王小二",
    "張家輝",
    "さくら🌸",
    "Alex",
    "🐼",
    "雨后/彩虹",
    "\"Quoted\" 名字",
];

/// (city, province, country, language). The empty row is what WeChat has returned for most
/// users since 2021.
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("Guangzhou", "Guangdong", "CN", "zh_CN"),
    ("Shenzhen", "Guangdong", "CN", "zh_CN"),
    ("Chengdu", "Sichuan", "CN", "zh_CN"),
    ("Hangzhou", "Zhejiang", "CN", "zh_CN"),
    ("Taipei", "Taiwan", "CN", "zh_TW"),
    ("", "", "", "zh_CN"),
    ("London", "England", "GB", "en"),
];

impl Profile {
    pub(crate) fn generate(entropy: &Entropy) -> Profile {
        let nick = NICKNAMES[entropy.below(NICKNAMES.len())];
        let (city, province, country, language) = PLACES[entropy.below(PLACES.len())];
        let avatar = entropy.string(
            86,
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        );
        Profile {
            nick_name: nick.to_string(),
            gender: entropy.below(3) as i64,
            language: language.to_string(),
            city: city.to_string(),
            province: province.to_string(),
            country: country.to_string(),
            avatar_url: format!("https://thirdwx.qlogo.cn/mmopen/vi_32/{avatar}/132"),
        }
    }

    /// Overrides the fields the caller gave; a field of the wrong type is refused.
    pub(crate) fn merge(&mut self, given: &Value) -> Result<(), Refusal> {
        let Value::Object(map) = given else {
            return Err(Refusal::new(400, 47001, "userInfo must be a JSON object"));
        };
        for (name, value) in map {
            let slot = match name.as_str() {
                "gender" => {
                    self.gender = value.as_i64().ok_or_else(|| {
                        Refusal::new(400, 47001, "userInfo.gender must be an integer (0, 1 or 2)")
                    })?;
                    continue;
                }
                "nickName" => &mut self.nick_name,
                "language" => &mut self.language,
                "city" => &mut self.city,
                "province" => &mut self.province,
                "country" => &mut self.country,
                "avatarUrl" => &mut self.avatar_url,
                _ => continue,
            };
            *slot = value
                .as_str()
                .ok_or_else(|| {
                    Refusal::new(400, 47001, format!("userInfo.{name} must be a string"))
                })?
                .to_string();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_data_keeps_wechat_field_order_and_unescaped_text() {
        let p = Profile {
            nick_name: "阿狸🦊".into(),
            gender: 1,
            language: "zh_CN".into(),
            city: "Guangzhou".into(),
            province: "Guangdong".into(),
            country: "CN".into(),
            avatar_url: "https://a/b/132".into(),
        };
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"nickName":"阿狸🦊","gender":1,"language":"zh_CN","city":"Guangzhou","province":"Guangdong","country":"CN","avatarUrl":"https://a/b/132"}"#
        );
    }

    #[test]
    fn merge_refuses_wrong_types() {
        let mut p = Profile::generate(&Entropy::new(Some(1), 0));
        p.merge(&serde_json::json!({"nickName": "X", "gender": 2, "other": 1}))
            .unwrap();
        assert_eq!((p.nick_name.as_str(), p.gender), ("X", 2));
        assert!(p.merge(&serde_json::json!({"gender": "m"})).is_err());
        assert!(p.merge(&serde_json::json!([1])).is_err());
    }
}
