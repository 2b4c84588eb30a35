//! The WeChat family of login handshakes (WeChat, QQ, WeCom, Douyin): each platform's API host,
//! the name of its client login call, and its own errcode table where meanings differ.

use super::errcode::{self, Errcode, Lang};

/// Which platform's server API a command speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Platform {
    #[default]
    Wechat,
    Qq,
    Wecom,
    Douyin,
}

impl Platform {
    pub const ALL: [Platform; 4] = [
        Platform::Wechat,
        Platform::Qq,
        Platform::Wecom,
        Platform::Douyin,
    ];

    /// The name used on the command line and in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Wechat => "wechat",
            Platform::Qq => "qq",
            Platform::Wecom => "wecom",
            Platform::Douyin => "douyin",
        }
    }

    pub fn from_name(name: &str) -> Option<Platform> {
        Platform::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The API root a backend calls.
    pub fn base_url(self) -> &'static str {
        match self {
            Platform::Wechat => super::api::DEFAULT_BASE_URL,
            Platform::Qq => "https://api.q.qq.com",
            Platform::Wecom => "https://qyapi.weixin.qq.com",
            Platform::Douyin => "https://developer.toutiao.com",
        }
    }

    /// The API host, for a proxy that intercepts the family's hosts.
    pub fn host(self) -> &'static str {
        self.base_url().trim_start_matches("https://")
    }

    /// The client call that yields a login code.
    pub fn login_call(self) -> &'static str {
        match self {
            Platform::Wechat => "wx.login",
            Platform::Qq => "qq.login",
            Platform::Wecom => "wx.qy.login",
            Platform::Douyin => "tt.login",
        }
    }

    /// The method and path a backend exchanges a login code at.
    pub fn exchange(self) -> (&'static str, &'static str) {
        match self {
            Platform::Wechat | Platform::Qq => ("GET", "/sns/jscode2session"),
            Platform::Wecom => ("GET", "/cgi-bin/miniprogram/jscode2session"),
            Platform::Douyin => ("POST", "/api/apps/v2/jscode2session"),
        }
    }

    /// The platform whose API host this is.
    pub fn from_host(host: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.host() == host)
    }

    /// The client API a mini program of this platform calls for WeChat's `wx_call`
    /// (`wx.getUserInfo` is `qq.getUserInfo` in QQ, `tt.getUserInfo` in Douyin).
    pub fn client_call(self, wx_call: &'static str) -> &'static str {
        match (self, wx_call) {
            (_, "wx.login") => self.login_call(),
            (Platform::Qq, "wx.getUserInfo") => "qq.getUserInfo",
            (Platform::Douyin, "wx.getUserInfo") => "tt.getUserInfo",
            (Platform::Qq, "wx.checkSession") => "qq.checkSession",
            (Platform::Wecom, "wx.checkSession") => "wx.qy.checkSession",
            (Platform::Douyin, "wx.checkSession") => "tt.checkSession",
            _ => wx_call,
        }
    }

    /// What the platform calls its error number in answers.
    pub fn errcode_field(self) -> &'static str {
        match self {
            Platform::Douyin => "err_no",
            _ => "errcode",
        }
    }

    /// The platform's own entry for a code, if its table has one.
    fn own(self, code: i64) -> Option<&'static Errcode> {
        let table = match self {
            Platform::Wechat => COMPONENT,
            Platform::Qq => &[],
            Platform::Wecom => WECOM,
            Platform::Douyin => DOUYIN,
        };
        table.iter().find(|e| e.code == code)
    }

    /// The platform's entry for a code: its own table first; QQ and WeCom share WeChat's
    /// common codes, Douyin's numbers mean other things and never fall back.
    pub fn lookup(self, code: i64) -> Option<&'static Errcode> {
        self.own(code).or_else(|| match self {
            Platform::Douyin => None,
            _ => errcode::lookup(code),
        })
    }

    /// Meaning and fix, worded for this platform's client call; unknown codes are honest.
    pub fn explain(self, code: i64, lang: Lang) -> (String, String) {
        if let Some(e) = self.own(code) {
            return (e.meaning(lang).to_string(), e.fix(lang).to_string());
        }
        match self.lookup(code) {
            Some(e) => (self.reword(e.meaning(lang)), self.reword(e.fix(lang))),
            None => {
                let (meaning, hint) = errcode::explain(code, lang);
                match (self, lang) {
                    (Platform::Wechat, _) => (meaning, hint),
                    (_, Lang::En) => (
                        format!("not in wxlogin's {} errcode table", self.display()),
                        format!(
                            "look the code up in the {} server API documentation",
                            self.display()
                        ),
                    ),
                    (_, Lang::Zh) => (
                        format!("wxlogin 的 {} 错误码表中没有此码", self.display()),
                        format!("请在{}服务端 API 文档中查询该错误码", self.display()),
                    ),
                }
            }
        }
    }

    /// The WeChat errcode meaning what `code` means on this platform (Douyin's invalid code,
    /// appid and secret; WeCom's corpsecret), so rules written in WeChat's numbers read every
    /// platform's answers. Douyin answers an unknown and a used code alike: 40029 here.
    pub fn wechat_equivalent(self, code: i64) -> i64 {
        match (self, code) {
            (Platform::Douyin, 40018 | 40019) => 40029,
            (Platform::Douyin, 40015) => 40013,
            (Platform::Douyin, 40017) | (Platform::Wecom, 40001) => 40125,
            (_, code) => code,
        }
    }

    /// WeChat's wording with this platform's login call in place of `wx.login`.
    pub fn reword(self, text: &str) -> String {
        match self {
            Platform::Wechat => text.to_string(),
            _ => text.replace("wx.login", self.login_call()),
        }
    }

    pub fn display(self) -> &'static str {
        match self {
            Platform::Wechat => "WeChat",
            Platform::Qq => "QQ",
            Platform::Wecom => "WeCom",
            Platform::Douyin => "Douyin",
        }
    }
}

/// Every host the family's login APIs live on (for the intercept proxy's list).
pub const API_HOSTS: [&str; 4] = [
    "api.weixin.qq.com",
    "api.q.qq.com",
    "qyapi.weixin.qq.com",
    "developer.toutiao.com",
];

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Platform {
    type Err = String;

    fn from_str(s: &str) -> Result<Platform, String> {
        Platform::from_name(s)
            .ok_or_else(|| format!("{s:?} is not one of wechat, qq, wecom, douyin"))
    }
}

/// A platform's own entry: WeChat's errmsg texts do not apply.
const fn e(
    code: i64,
    meaning_en: &'static str,
    meaning_zh: &'static str,
    fix_en: &'static str,
    fix_zh: &'static str,
) -> Errcode {
    errcode::e(code, "", meaning_en, meaning_zh, fix_en, fix_zh)
}

/// WeChat third-party platform (component) codes, met on `api_component_token` and
/// `/sns/component/jscode2session`.
pub const COMPONENT: &[Errcode] = &[
    e(
        61003,
        "third-party platform: the component is not authorised by this mini program",
        "第三方平台：该小程序未授权给此第三方平台",
        "the appid has not authorised this component_appid (or revoked it); have the mini program's admin authorise the platform, or use the right component_appid",
        "该 appid 未授权（或已取消授权）给此 component_appid；请小程序管理员完成授权，或使用正确的 component_appid",
    ),
    e(
        61004,
        "third-party platform: caller IP not registered",
        "第三方平台：调用方 IP 未登记在白名单中",
        "add this server's public IP to the platform's IP whitelist on open.weixin.qq.com",
        "在开放平台（open.weixin.qq.com）第三方平台设置中把本机公网 IP 加入白名单",
    ),
    e(
        61005,
        "third-party platform: component_verify_ticket expired",
        "第三方平台：component_verify_ticket 已过期",
        "WeChat pushes a new ticket to the platform's callback every 10 minutes; use the latest one your callback stored",
        "微信每 10 分钟向授权事件接收地址推送新的 ticket；请使用回调最近保存的 ticket",
    ),
    e(
        61006,
        "third-party platform: component_verify_ticket invalid",
        "第三方平台：component_verify_ticket 无效",
        "the ticket is not one WeChat pushed to this component_appid: check that your callback decrypts and stores it for the right platform",
        "该 ticket 不是微信推送给此 component_appid 的；检查回调是否正确解密并按平台保存",
    ),
    e(
        61007,
        "third-party platform: API not authorised to the component",
        "第三方平台：该接口未授权给第三方平台",
        "the mini program did not grant this permission set to the platform; ask its admin to authorise it",
        "小程序未把该权限集授权给第三方平台；请其管理员授权",
    ),
    e(
        61011,
        "third-party platform: invalid component",
        "第三方平台：component_appid 无效",
        "check component_appid: it is the platform's appid from open.weixin.qq.com, not the mini program's",
        "检查 component_appid：应为开放平台的第三方平台 appid，而不是小程序的 appid",
    ),
    e(
        61023,
        "third-party platform: authorizer_refresh_token invalid",
        "第三方平台：authorizer_refresh_token 无效",
        "the authorisation was revoked or renewed; take the refresh token of the latest authorisation",
        "授权已取消或更新；请使用最近一次授权得到的刷新令牌",
    ),
];

/// WeCom (企业微信) server API codes that differ from WeChat's or only exist there.
pub const WECOM: &[Errcode] = &[
    e(
        40001,
        "WeCom: invalid corpsecret",
        "企业微信：不合法的 secret 参数",
        "the corpsecret is not the secret of an app of this corp (each app has its own secret); copy it from the WeCom admin console, app page",
        "corpsecret 不是该企业某个应用的 secret（每个应用各有 secret）；请到企业微信管理后台对应应用页面复制",
    ),
    e(
        40013,
        "WeCom: invalid corpid",
        "企业微信：不合法的 corpid",
        "the corpid starts with 'ww' (My Company in the WeCom admin console); a mini program's appid (wx…) is not a corpid",
        "corpid 以 ww 开头（企业微信管理后台“我的企业”）；小程序的 appid（wx…）不是 corpid",
    ),
    e(
        40014,
        "WeCom: invalid access_token",
        "企业微信：不合法的 access_token",
        "the token is not from /cgi-bin/gettoken of this corp (a WeChat token does not work on qyapi.weixin.qq.com); fetch a fresh one",
        "该 token 不是本企业 /cgi-bin/gettoken 返回的（微信的 token 不能用于 qyapi.weixin.qq.com）；请重新获取",
    ),
    e(
        40029,
        "WeCom: invalid code",
        "企业微信：不合法的 code",
        "the code is unknown, expired, used, or came from wx.login in WeChat instead of wx.qy.login in WeCom; get a fresh one with wx.qy.login",
        "code 不存在、已过期、已使用，或来自微信中的 wx.login 而非企业微信中的 wx.qy.login；请用 wx.qy.login 重新获取",
    ),
    e(
        40082,
        "WeCom: invalid suite_token",
        "企业微信：不合法的 suite_token",
        "a third-party WeCom app exchanges codes with its suite_access_token on /cgi-bin/service/miniprogram/jscode2session, a self-built app with the corp token",
        "第三方应用需用 suite_access_token 调用 /cgi-bin/service/miniprogram/jscode2session；自建应用使用企业 access_token",
    ),
    e(
        41001,
        "WeCom: access_token missing",
        "企业微信：缺少 access_token 参数",
        "fetch one with /cgi-bin/gettoken?corpid&corpsecret and pass it",
        "请先调用 /cgi-bin/gettoken?corpid&corpsecret 获取并传入",
    ),
    e(
        41002,
        "WeCom: corpid missing",
        "企业微信：缺少 corpid 参数",
        "pass --corpid (the ww… id of the corp)",
        "请传入 --corpid（以 ww 开头的企业 ID）",
    ),
    e(
        41004,
        "WeCom: corpsecret missing",
        "企业微信：缺少 corpsecret 参数",
        "give the app's secret (--secret-file, --secret-stdin, WXLOGIN_SECRET or a profile)",
        "请提供应用 secret（--secret-file、--secret-stdin、WXLOGIN_SECRET 或 profile）",
    ),
    e(
        41008,
        "WeCom: code missing",
        "企业微信：缺少 code 参数",
        "pass the code wx.qy.login returned (--code)",
        "请传入 wx.qy.login 返回的 code（--code）",
    ),
    e(
        42001,
        "WeCom: access_token expired",
        "企业微信：access_token 已过期",
        "a WeCom token lives 7200 s; fetch a new one with /cgi-bin/gettoken and cache it until expires_in",
        "企业微信 token 有效期 7200 秒；请重新调用 /cgi-bin/gettoken 并缓存至 expires_in 到期",
    ),
    e(
        45009,
        "WeCom: API call frequency limit reached",
        "企业微信：接口调用超过限制",
        "cache the access_token instead of fetching it per request, and slow down",
        "请缓存 access_token 而不是每次请求都获取，并降低调用频率",
    ),
    e(
        48002,
        "WeCom: API forbidden: the app is not bound to this mini program",
        "企业微信：API 禁止调用：应用未关联该小程序",
        "bind the mini program to the self-built app (WeCom admin console → app → associate mini program) and use that app's secret",
        "在企业微信管理后台把小程序关联到该自建应用，并使用该应用的 secret",
    ),
    e(
        60011,
        "WeCom: no privilege to access this member",
        "企业微信：指定的成员/部门/标签参数无权限",
        "widen the app's visible range to include the user",
        "请扩大应用的可见范围，使其包含该成员",
    ),
    e(
        60020,
        "WeCom: caller IP not in the app's trusted IPs",
        "企业微信：访问 IP 不在白名单之中",
        "add this server's public IP to the app's trusted IP list in the WeCom admin console",
        "在企业微信管理后台把本机公网 IP 加入应用的企业可信 IP",
    ),
];

/// Douyin's `err_no` table for `/api/apps/v2/jscode2session`: the same numbers as WeChat's
/// codes, other meanings.
pub const DOUYIN: &[Errcode] = &[
    e(
        -1,
        "Douyin: system error",
        "抖音：系统错误",
        "a transient fault on Douyin's side; retry after a short pause",
        "抖音侧临时故障；稍后重试",
    ),
    e(
        40014,
        "Douyin: bad parameters (one is missing or empty)",
        "抖音：参数错误（缺少或为空）",
        "send a JSON body with appid, secret and code (or anonymous_code), Content-Type application/json, nothing in the query",
        "请以 application/json 发送包含 appid、secret 与 code（或 anonymous_code）的 JSON 请求体，不要放在 query 中",
    ),
    e(
        40015,
        "Douyin: invalid appid",
        "抖音：appid 错误",
        "check the appid (Douyin appids start with 'tt'; a WeChat wx… appid does not work here)",
        "检查 appid（抖音 appid 以 tt 开头；微信的 wx… appid 不能用）",
    ),
    e(
        40017,
        "Douyin: invalid secret",
        "抖音：secret 错误",
        "use the app's current App Secret (console → app → development settings)",
        "请使用当前的 App Secret（控制台 → 小程序详情 → 开发配置）",
    ),
    e(
        40018,
        "Douyin: invalid code",
        "抖音：code 错误",
        "the code is unknown, expired or used; call tt.login again and exchange the new code once (an anonymous code goes in anonymous_code)",
        "code 不存在、已过期或已使用；重新 tt.login 并只换取一次（匿名 code 应放在 anonymous_code）",
    ),
    e(
        40019,
        "Douyin: invalid anonymous_code",
        "抖音：anonymous_code 错误",
        "the anonymous code is unknown, expired or used; take a fresh anonymousCode from tt.login",
        "anonymous_code 不存在、已过期或已使用；请从 tt.login 重新获取 anonymousCode",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_both_languages_and_no_duplicates() {
        for table in [COMPONENT, WECOM, DOUYIN] {
            let mut codes: Vec<i64> = table.iter().map(|e| e.code).collect();
            codes.sort_unstable();
            codes.dedup();
            assert_eq!(codes.len(), table.len());
            for e in table {
                for t in [e.meaning_en, e.meaning_zh, e.fix_en, e.fix_zh] {
                    assert!(!t.is_empty(), "{}", e.code);
                }
            }
        }
    }

    #[test]
    fn douyin_numbers_mean_other_things_than_wechats() {
        let (wechat, _) = Platform::Wechat.explain(40014, Lang::En);
        let (douyin, _) = Platform::Douyin.explain(40014, Lang::En);
        assert_ne!(wechat, douyin);
        assert!(Platform::Douyin.lookup(40029).is_none());
        assert!(Platform::Wecom.lookup(48002).is_some());
        assert!(Platform::Wechat.lookup(61003).is_some());
        assert!(Platform::Qq.lookup(40029).is_some());
    }

    #[test]
    fn other_platforms_codes_read_as_wechats_of_the_same_meaning() {
        assert_eq!(Platform::Douyin.wechat_equivalent(40018), 40029);
        assert_eq!(Platform::Douyin.wechat_equivalent(40019), 40029);
        assert_eq!(Platform::Douyin.wechat_equivalent(40015), 40013);
        assert_eq!(Platform::Douyin.wechat_equivalent(40017), 40125);
        assert_eq!(Platform::Wecom.wechat_equivalent(40001), 40125);
        // WeChat's own 40001 is an invalid access token, not a secret.
        assert_eq!(Platform::Wechat.wechat_equivalent(40001), 40001);
        assert_eq!(Platform::Qq.wechat_equivalent(40163), 40163);
    }

    #[test]
    fn wording_names_the_platforms_login_call() {
        let (_, fix) = Platform::Qq.explain(40029, Lang::En);
        assert!(
            fix.contains("qq.login") && !fix.contains("wx.login"),
            "{fix}"
        );
        assert_eq!(Platform::from_name("DouYin"), Some(Platform::Douyin));
        let hosts: Vec<&str> = Platform::ALL.iter().map(|p| p.host()).collect();
        assert_eq!(hosts, API_HOSTS);
        assert_eq!(Platform::from_host("api.q.qq.com"), Some(Platform::Qq));
        assert_eq!(
            Platform::Douyin.client_call("wx.getUserInfo"),
            "tt.getUserInfo"
        );
        assert_eq!(Platform::Wecom.client_call("wx.login"), "wx.qy.login");
        assert_eq!(
            Platform::Wechat.client_call("wx.checkSession"),
            "wx.checkSession"
        );
    }
}
