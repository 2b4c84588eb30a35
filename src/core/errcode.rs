//! WeChat's errcodes with their meaning and likely fix, in English and Chinese. The table is
//! open: an unknown errcode is shown as it came, never turned into an error of its own.

/// Language of human-readable explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// `zh` when the locale (`LANG`, `LC_ALL`) is Chinese, `en` otherwise.
    pub fn from_locale(value: Option<&str>) -> Lang {
        match value {
            Some(v) if v.to_ascii_lowercase().starts_with("zh") => Lang::Zh,
            _ => Lang::En,
        }
    }
}

/// One known errcode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Errcode {
    pub code: i64,
    pub meaning_en: &'static str,
    pub meaning_zh: &'static str,
    pub fix_en: &'static str,
    pub fix_zh: &'static str,
}

impl Errcode {
    pub fn meaning(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.meaning_en,
            Lang::Zh => self.meaning_zh,
        }
    }

    pub fn fix(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.fix_en,
            Lang::Zh => self.fix_zh,
        }
    }
}

pub const TABLE: &[Errcode] = &[Errcode {
    code: 40029,
    meaning_en: "invalid code",
    meaning_zh: "code 无效",
    fix_en: "the code is unknown, expired (older than 5 minutes) or for another appid; call wx.login again and exchange the new code at once",
    fix_zh: "code 不存在、已过期（超过 5 分钟）或属于其他 appid；重新调用 wx.login 并立即换取",
}];

pub fn lookup(code: i64) -> Option<&'static Errcode> {
    TABLE.iter().find(|e| e.code == code)
}

/// Meaning and fix for any errcode; unknown codes get an honest "not in the table".
pub fn explain(code: i64, lang: Lang) -> (String, String) {
    match lookup(code) {
        Some(e) => (e.meaning(lang).to_string(), e.fix(lang).to_string()),
        None => match lang {
            Lang::En => (
                "not in wxlogin's errcode table".to_string(),
                "look the errcode up in WeChat's API documentation; quote the rid from errmsg to WeChat's rid lookup tool".to_string(),
            ),
            Lang::Zh => (
                "wxlogin 的错误码表中没有此码".to_string(),
                "请在微信官方文档中查询该错误码；可将 errmsg 中的 rid 提交到微信的 rid 查询工具".to_string(),
            ),
        },
    }
}
