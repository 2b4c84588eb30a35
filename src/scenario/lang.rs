//! The scenario output's words in the user's language (`--lang zh`): frame lines, phase titles
//! and each diagnosis rule; values, steps and WeChat's own messages stay as they came.

use crate::core::errcode::Lang;

use super::diagnose::Diagnosis;

/// The diagnosis as one line: `diagnosis: WHAT — fix: HOW`, in `lang`.
pub fn diagnosis_line(d: &Diagnosis, lang: Lang) -> (String, String) {
    match (lang, zh_rule(d.rule)) {
        (Lang::Zh, Some((what, fix))) => (
            "诊断：".to_string(),
            format!("{what}（{}）— 处理：{fix}", d.message),
        ),
        _ => ("diagnosis: ".to_string(), d.one_line()),
    }
}

/// Each rule's finding and fix in Chinese; the English details follow in brackets.
fn zh_rule(rule: &str) -> Option<(&'static str, &'static str)> {
    Some(match rule {
        "wrong-exchange-path" => (
            "后端在其他平台的接口换取了 code",
            "按小程序所在平台的接口换取 code：微信/QQ 为 GET /sns/jscode2session，企业微信为 GET /cgi-bin/miniprogram/jscode2session，抖音为 POST /api/apps/v2/jscode2session",
        ),
        "never-exchanged" => (
            "后端没有用 jscode2session 换取这个 code",
            "用客户端发来的 code 原样调用 GET /sns/jscode2session，并保存返回的 session_key；后端的微信接口地址是否指向 mock？",
        ),
        "exchanged-twice" => (
            "同一个 code 被换取了两次，第二次微信返回 40163",
            "每个 code 只换取一次并保存 session_key；若客户端把同一个 code 发了两次，应修改客户端（重试前重新 wx.login）",
        ),
        "wrong-appid" => ("后端使用的 appid 与小程序不符", "为后端配置小程序的 appid"),
        "wrong-secret" => (
            "微信拒绝了后端的 appsecret",
            "为后端配置该小程序当前的 appsecret",
        ),
        "code-expired" => (
            "code 过期后才被换取（40029）",
            "客户端发来 code 后立即换取；在发送前才调用 wx.login，不要缓存 code",
        ),
        "code-refused" => (
            "微信拒绝了新 code（40029）",
            "后端的 appid 必须是小程序的 appid",
        ),
        "code-altered" => (
            "后端换取的 code 与客户端拿到的不同：传输中被改动",
            "把请求中的 code 原样传给 jscode2session，并做 URL 编码",
        ),
        "key-rotated" => (
            "第二次 wx.login 轮换了 session_key，后端持有的是旧 key",
            "只在 getUserInfo 之前调用一次 wx.login；再次登录时，先把新 code 发给后端",
        ),
        "stale-key" => (
            "后端换取了新 code，却仍在使用旧的 session_key",
            "每次换取后用新的 session_key 替换旧的",
        ),
        "signature-rawdata" => (
            "后端的签名校验失败：很可能对重新序列化的 rawData 做了哈希",
            "对客户端发来的原始 rawData 字符串计算 sha1(rawData + session_key)；`wxlogin verify-signature` 可指出改动",
        ),
        "decrypt-input" => (
            "后端解密失败：encryptedData 或 iv 在传输中被改动",
            "原样传递 encryptedData 和 iv（表单或 URL 解码会把 '+' 变成空格）；`wxlogin decrypt` 可指出损坏",
        ),
        "wechat-error" => (
            "微信对后端的调用返回了错误码",
            "见 `wxlogin --lang zh explain ERRCODE`",
        ),
        "backend-unreachable" => (
            "后端没有应答",
            "启动后端（或用 `-- CMD` 让 simulate 启动它），并检查流程文件中的 backend",
        ),
        "proxy-not-used" => (
            "后端的请求没有经过 mock 的代理",
            "用代理变量启动后端（`-- CMD` 会设置；或 `set -a; . wx.env; set +a`）；忽略 HTTPS_PROXY 的客户端需要自己的代理 agent",
        ),
        "ca-not-trusted" => (
            "后端经过了代理，但不信任 mock 的 CA 证书",
            "让后端的 HTTP 客户端信任 mock 的 CA（SSL_CERT_FILE、REQUESTS_CA_BUNDLE、NODE_EXTRA_CA_CERTS 或 Java truststore）",
        ),
        "no-rotation" => (
            "第二次 wx.login 没有轮换 session_key",
            "服务端无需修改；真实的微信每次 wx.login 都会轮换 key",
        ),
        "backend" => (
            "不是微信侧的原因：后端对微信的调用都成功了",
            "查看后端自己的日志",
        ),
        _ => return None,
    })
}

/// `✓ all N steps passed` and friends.
pub fn all_passed(total: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("✓ 全部 {total} 步通过"),
        Lang::En => format!("✓ all {total} steps passed"),
    }
}

pub fn step_failed(number: usize, total: usize, not_run: usize, lang: Lang) -> String {
    match (lang, not_run) {
        (Lang::Zh, 0) => format!("✗ 第 {number} 步失败（共 {total} 步）"),
        (Lang::Zh, n) => format!("✗ 第 {number} 步失败（共 {total} 步，{n} 步未运行）"),
        (Lang::En, 0) => format!("✗ step {number} of {total} failed"),
        (Lang::En, n) => format!("✗ step {number} of {total} failed ({n} not run)"),
    }
}

pub fn backend_stderr(lines: usize, lang: Lang) -> String {
    match (lang, lines) {
        (Lang::Zh, 0) => "后端 stderr：（无输出）".to_string(),
        (Lang::Zh, n) => format!("后端 stderr（最后 {n} 行）："),
        (Lang::En, 0) => "backend stderr: (nothing)".to_string(),
        (Lang::En, n) => format!("backend stderr (last {n} lines):"),
    }
}

/// The demo's closing line.
pub fn demo_verdict(ok: bool, lang: Lang) -> &'static str {
    match (lang, ok) {
        (Lang::Zh, true) => "✓ 握手正常，且轮换后的 key 被发现：check-session 返回 87009",
        (Lang::Zh, false) => "✗ 演示没有按预期进行（见标有 ✗ 的步骤）",
        (Lang::En, true) => {
            "✓ the handshake works, and the rotated key was caught: check-session said 87009"
        }
        (Lang::En, false) => "✗ the demo did not go as expected (see the steps marked ✗)",
    }
}

/// The demo's phase titles.
pub fn phase_title(name: &str, english: &'static str, lang: Lang) -> &'static str {
    match (lang, name) {
        (Lang::Zh, "handshake") => "握手",
        (Lang::Zh, "failure") => "典型故障：第二次 wx.login 轮换了 session_key",
        (Lang::Zh, "fix") => "修复：换取新的 code",
        _ => english,
    }
}

/// The demo's first two lines.
pub fn demo_head(url: &str, reveal: bool, lang: Lang) -> (String, &'static str) {
    match lang {
        Lang::Zh => (
            format!("wxlogin demo：在内置 mock（{url}）上演示微信登录握手"),
            if reveal {
                "密钥完整显示（--reveal）"
            } else {
                "密钥已打码；--reveal 显示完整值"
            },
        ),
        Lang::En => (
            format!("wxlogin demo: the WeChat login handshake against an embedded mock at {url}"),
            if reveal {
                "secrets shown in full (--reveal)"
            } else {
                "secrets are masked; --reveal shows them"
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_chinese_words() {
        for rule in [
            "never-exchanged",
            "exchanged-twice",
            "wrong-appid",
            "wrong-secret",
            "code-expired",
            "code-refused",
            "code-altered",
            "key-rotated",
            "stale-key",
            "signature-rawdata",
            "decrypt-input",
            "wechat-error",
            "backend-unreachable",
            "proxy-not-used",
            "ca-not-trusted",
            "no-rotation",
            "backend",
        ] {
            assert!(zh_rule(rule).is_some(), "{rule}");
        }
        let d = Diagnosis {
            rule: "stale-key",
            message: "detail".into(),
            fix: "fix".into(),
        };
        let (label, line) = diagnosis_line(&d, Lang::Zh);
        assert_eq!(label, "诊断：");
        assert!(
            line.contains("旧的 session_key（detail）— 处理："),
            "{line}"
        );
        assert_eq!(diagnosis_line(&d, Lang::En).1, "detail — fix: fix");
        assert_eq!(
            step_failed(2, 6, 4, Lang::En),
            "✗ step 2 of 6 failed (4 not run)"
        );
    }
}
