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
    /// WeChat's own errmsg text for it (what the mock answers), empty for local SDK codes.
    pub errmsg: &'static str,
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

pub(crate) const fn e(
    code: i64,
    errmsg: &'static str,
    meaning_en: &'static str,
    meaning_zh: &'static str,
    fix_en: &'static str,
    fix_zh: &'static str,
) -> Errcode {
    Errcode {
        code,
        errmsg,
        meaning_en,
        meaning_zh,
        fix_en,
        fix_zh,
    }
}

/// The codes of DESIGN §1.3, a few neighbours the same APIs return, and the local codes of
/// WeChat's WXBizDataCrypt samples (-41001..-41004), which users quote from their SDK's logs.
pub const TABLE: &[Errcode] = &[
    e(
        -1,
        "system error",
        "system busy",
        "系统繁忙",
        "a transient fault on WeChat's side; retry after a short pause (wxlogin retries token and check-session calls with backoff, see --retries, and jscode2session once)",
        "微信侧的临时故障；稍等后重试（wxlogin 会按 --retries 对 token 与 checksession 调用退避重试，jscode2session 只重试一次）",
    ),
    e(
        40001,
        "invalid credential, access_token is invalid or not latest",
        "invalid credential: the appsecret or the access_token is wrong",
        "凭证无效：appsecret 或 access_token 错误",
        "check that the appsecret belongs to this appid (it changes when someone resets it in the console); an access_token may have been replaced by a newer /cgi-bin/token call",
        "确认 appsecret 与该 appid 对应（有人在后台重置后会变化）；access_token 可能已被更新的 /cgi-bin/token 调用替换",
    ),
    e(
        40002,
        "invalid grant_type",
        "invalid grant_type",
        "grant_type 不合法",
        "jscode2session takes grant_type=authorization_code, the token APIs client_credential",
        "jscode2session 需要 grant_type=authorization_code，获取 token 的接口需要 client_credential",
    ),
    e(
        40003,
        "invalid openid",
        "invalid openid",
        "openid 不合法",
        "the openid is not a user of this appid: take it from this app's own code2session answer",
        "该 openid 不属于此 appid 的用户：请使用本小程序 code2session 返回的 openid",
    ),
    e(
        40013,
        "invalid appid",
        "invalid appid",
        "appid 无效",
        "check the appid (18 characters, starting with 'wx') and that it is a mini program's, not an official account's",
        "检查 appid（以 wx 开头的 18 位字符串），并确认它是小程序的 appid 而不是公众号的",
    ),
    e(
        40014,
        "",
        "invalid access_token",
        "access_token 无效",
        "the access_token is malformed or for another appid; fetch a fresh one (wxlogin token --stable)",
        "access_token 格式错误或属于其他 appid；重新获取（wxlogin token --stable）",
    ),
    e(
        40029,
        "invalid code",
        "invalid code",
        "code 无效",
        "the code is unknown, expired (older than 5 minutes) or for another appid; call wx.login again and exchange the new code at once",
        "code 不存在、已过期（超过 5 分钟）或属于其他 appid；重新调用 wx.login 并立即换取",
    ),
    e(
        40125,
        "invalid appsecret",
        "invalid appsecret",
        "appsecret 无效",
        "the appsecret is wrong or was reset in the console (mp.weixin.qq.com → Development → Development settings); use the current one",
        "appsecret 错误或已在后台重置（mp.weixin.qq.com → 开发 → 开发设置）；请使用当前的 appsecret",
    ),
    e(
        40163,
        "code been used",
        "code been used",
        "code 已被使用",
        "a code works once: something already exchanged it (your backend, a retry, a second request from the client); call wx.login for a new code and exchange it exactly once",
        "code 只能使用一次：已有请求换取过它（你的后端、一次重试或客户端的重复请求）；重新 wx.login 获取新 code，并只换取一次",
    ),
    e(
        40164,
        "",
        "caller IP not in the whitelist",
        "调用方 IP 不在白名单中",
        "add this machine's public IP to the API IP whitelist in the console (Development → Development settings), or call from a whitelisted server",
        "在后台（开发 → 开发设置）把本机公网 IP 加入接口 IP 白名单，或从白名单内的服务器调用",
    ),
    e(
        40226,
        "invalid user, high risk user, blocked",
        "high-risk user: login blocked",
        "高风险等级用户，小程序登录拦截",
        "WeChat's risk control blocked this user's login; nothing to fix in your code (see the security-risk docs)",
        "微信风控拦截了该用户的登录；与代码无关（参见官方安全风控文档）",
    ),
    e(
        40243,
        "",
        "appsecret frozen",
        "appsecret 已被冻结",
        "the appsecret was frozen in the console; unfreeze or reset it there",
        "appsecret 已在后台被冻结；请在后台解冻或重置",
    ),
    e(
        41001,
        "access_token missing",
        "access_token missing",
        "缺少 access_token 参数",
        "pass an access_token (--access-token) or the appid and appsecret to fetch one",
        "请提供 access_token（--access-token），或提供 appid 与 appsecret 以获取",
    ),
    e(
        41002,
        "appid missing",
        "appid missing",
        "缺少 appid 参数",
        "give the appid (--appid, WXLOGIN_APPID or a config profile)",
        "请提供 appid（--appid、WXLOGIN_APPID 或配置文件中的 profile）",
    ),
    e(
        41004,
        "appsecret missing",
        "appsecret missing",
        "缺少 secret 参数",
        "give the appsecret (--secret-file, --secret-stdin, WXLOGIN_SECRET or a config profile)",
        "请提供 appsecret（--secret-file、--secret-stdin、WXLOGIN_SECRET 或配置文件中的 profile）",
    ),
    e(
        41008,
        "missing code",
        "code missing",
        "缺少 code 参数",
        "pass the code wx.login returned (--code); check that the client really sends it to your server",
        "请传入 wx.login 返回的 code（--code）；确认客户端确实把它发到了你的服务器",
    ),
    e(
        42001,
        "access_token expired",
        "access_token expired",
        "access_token 已过期",
        "an access_token lives 7200 s; fetch a new one (wxlogin token --stable) and refresh it before expires_in runs out",
        "access_token 有效期 7200 秒；重新获取（wxlogin token --stable），并在 expires_in 到期前刷新",
    ),
    e(
        45011,
        "api minute-quota reach limit  mustslower  retry next minute",
        "API minute-quota reached",
        "API 调用太频繁（分钟级频率限制）",
        "too many calls this minute; wait a minute and slow down (cache session and token results)",
        "本分钟调用次数已达上限；等待一分钟并降低频率（缓存会话与 token 结果）",
    ),
    e(
        47001,
        "data format error",
        "POST body malformed",
        "POST 数据格式错误",
        "send a JSON body with Content-Type application/json and the documented fields",
        "请以 application/json 发送 JSON 请求体，并包含文档要求的字段",
    ),
    e(
        48001,
        "api unauthorized",
        "API unauthorized",
        "接口未授权",
        "this app has no permission for the API (unverified account, wrong account type, or the feature is not enabled)",
        "该小程序没有此接口权限（未认证、账号类型不符或功能未开通）",
    ),
    e(
        61024,
        "",
        "third-party platform: use /sns/component/jscode2session",
        "第三方平台代开发：请使用 /sns/component/jscode2session",
        "the app is managed by a third-party platform; exchange the code through the component API with the component access token",
        "该小程序由第三方平台代开发；请用第三方平台接口及 component_access_token 换取 code",
    ),
    e(
        87007,
        "session_key is not existed or expired",
        "session_key missing or expired",
        "session_key 不存在或已过期",
        "no valid session_key for this user: exchange a fresh code (wx.login, then code2session)",
        "该用户没有有效的 session_key：重新 wx.login 并调用 code2session",
    ),
    e(
        87008,
        "invalid sig_method",
        "invalid sig_method",
        "sig_method 不合法",
        "use sig_method=hmac_sha256",
        "请使用 sig_method=hmac_sha256",
    ),
    e(
        87009,
        "invalid signature",
        "invalid signature: the session_key is not the user's current one",
        "签名无效：该 session_key 不是用户当前的 session_key",
        "a later wx.login rotated the key (or it belongs to another openid or appid); decrypt with the session_key of the newest code2session, and keep only the latest key per user",
        "之后的 wx.login 已轮换了 session_key（或它属于其他 openid/appid）；请使用最近一次 code2session 得到的 session_key 解密，并且每个用户只保存最新的 key",
    ),
    e(
        40066,
        "invalid url",
        "invalid URL: the API path or its parameters are wrong",
        "无效的 URL：接口路径或参数有误",
        "check the path and query against WeChat's API documentation (a typo in the path, or --base-url with a wrong prefix)",
        "对照微信接口文档检查路径与参数（路径拼写错误，或 --base-url 前缀有误）",
    ),
    e(
        41009,
        "missing openid",
        "openid missing",
        "缺少 openid 参数",
        "pass the openid code2session returned for this user",
        "传入该用户 code2session 返回的 openid",
    ),
    e(
        43001,
        "require GET method",
        "the API must be called with GET",
        "需要 GET 请求",
        "send this API as a GET with its parameters in the query string",
        "使用 GET 请求，参数放在 URL 查询串中",
    ),
    e(
        43002,
        "require POST method",
        "the API must be called with POST",
        "需要 POST 请求",
        "send this API as a POST with a JSON body",
        "使用 POST 请求，参数放在 JSON 请求体中",
    ),
    e(
        -41001,
        "",
        "WXBizDataCrypt: illegal AES key (session_key is not 24 base64 characters)",
        "WXBizDataCrypt：非法 AES 密钥（session_key 不是 24 位 base64）",
        "the session_key is empty, truncated or another value; `wxlogin decrypt` names what is wrong with it",
        "session_key 为空、被截断或是别的值；`wxlogin decrypt` 会指出具体问题",
    ),
    e(
        -41002,
        "",
        "WXBizDataCrypt: illegal iv (not 24 base64 characters)",
        "WXBizDataCrypt：非法 iv（不是 24 位 base64）",
        "pass the iv from the same wx.getUserInfo / getPhoneNumber result, unaltered ('+' turned into a space is the usual culprit)",
        "请使用同一次 wx.getUserInfo / getPhoneNumber 结果中的 iv，且不要改动（'+' 变成空格最常见）",
    ),
    e(
        -41003,
        "",
        "WXBizDataCrypt: illegal buffer (decryption failed or the watermark appid differs)",
        "WXBizDataCrypt：解密失败或 watermark 中的 appid 不符",
        "usually a stale session_key (a later wx.login rotated it) or another app's payload; `wxlogin decrypt` tells which, `wxlogin check-session` whether the key is current",
        "通常是 session_key 已过期（之后的 wx.login 轮换了它）或数据属于其他小程序；`wxlogin decrypt` 会指出原因，`wxlogin check-session` 可判断 key 是否仍有效",
    ),
    e(
        -41004,
        "",
        "WXBizDataCrypt: base64 decode error",
        "WXBizDataCrypt：base64 解码失败",
        "encryptedData, iv or session_key was mangled on its way (URL decoding, escaped slashes, truncation); `wxlogin decrypt` repairs and names the damage",
        "encryptedData、iv 或 session_key 在传输中被破坏（URL 解码、斜杠转义、截断）；`wxlogin decrypt` 会修复并指出问题",
    ),
];

/// WeChat's errmsg for an errcode, as the mock answers it (`ok` for 0).
pub fn wechat_errmsg(code: i64) -> Option<&'static str> {
    match code {
        0 => Some("ok"),
        _ => lookup(code).map(|e| e.errmsg).filter(|m| !m.is_empty()),
    }
}

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

/// The request id WeChat puts at the end of errmsg (`..., rid: 6583f22d-35b1b023-4a6d02b6`),
/// the value WeChat's rid lookup tool takes.
pub fn rid(errmsg: &str) -> Option<&str> {
    let at = errmsg.rfind("rid:")?;
    let id = errmsg[at + 4..].trim().trim_end_matches(['.', ')']);
    (!id.is_empty()).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESIGN_CODES: &[i64] = &[
        -1, 40029, 40163, 45011, 40226, 40013, 40125, 41002, 41004, 41008, 40001, 40014, 42001,
        48001, 40164, 40243, 61024, 47001, 87007, 87008, 87009, -41001, -41002, -41003, -41004,
    ];

    #[test]
    fn every_design_errcode_has_both_languages() {
        for code in DESIGN_CODES {
            let e = lookup(*code).unwrap_or_else(|| panic!("{code} missing"));
            for text in [e.meaning_en, e.meaning_zh, e.fix_en, e.fix_zh] {
                assert!(!text.is_empty(), "{code}");
            }
        }
        let mut codes: Vec<i64> = TABLE.iter().map(|e| e.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), TABLE.len(), "duplicate code in TABLE");
    }

    /// The mock answers from this table, so every code it gives is one `explain` knows.
    #[test]
    fn the_codes_the_mock_answers_have_wechats_errmsg_and_a_meaning() {
        for code in [-1, 40066, 41009, 43001, 43002, 40163, 87009] {
            assert!(wechat_errmsg(code).is_some(), "{code}");
            assert!(lookup(code).is_some(), "{code}");
        }
        assert_eq!(wechat_errmsg(0), Some("ok"));
        assert_eq!(
            wechat_errmsg(-41001),
            None,
            "a local SDK code has no WeChat errmsg"
        );
    }

    #[test]
    fn unknown_codes_are_explained_honestly() {
        let (meaning, _) = explain(12345, Lang::En);
        assert!(meaning.contains("not in"));
    }

    #[test]
    fn finds_the_rid_in_errmsg() {
        assert_eq!(
            rid("invalid code, rid: 6583f22d-35b1b023-4a6d02b6"),
            Some("6583f22d-35b1b023-4a6d02b6")
        );
        assert_eq!(rid("ok"), None);
    }
}
