//! How the mock reads requests and answers like WeChat: lenient query parsing, WeChat's errmsg
//! texts with a `rid`, JSON responses, and the note each handler leaves for the journal.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Serialize;

use super::state::{State, User};
use crate::core::Error;

/// Largest request body accepted; WeChat's own bodies are a few hundred bytes.
pub(crate) const BODY_LIMIT: usize = 64 * 1024;
/// Longest query value looked at; longer ones cannot be a code, appid or token anyway.
const VALUE_LIMIT: usize = 4096;

/// Why a control call was refused: an HTTP status, an errcode and a message for the caller.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub status: u16,
    pub errcode: i64,
    pub message: String,
}

impl Refusal {
    pub(crate) fn new(status: u16, errcode: i64, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            errcode,
            message: message.into(),
        }
    }

    /// The refusal of an in-process client action, as the error a `/mock/` route's caller
    /// would read from its answer.
    pub(crate) fn into_error(self, route: &str) -> Error {
        let hint = match self.errcode {
            40013 | 41002 => "use an appid the mock knows (MockConfig::app(APPID, SECRET))",
            40003 | 41009 => "log the user in first (wx_login), then use the openid it gives",
            _ => "check the values given to the client action",
        };
        Error::Api {
            errcode: self.errcode,
            errmsg: format!("{route}: {}", self.message),
            note: crate::core::ApiNote::Hint(hint.to_string()),
            platform: crate::core::platform::Platform::Wechat,
        }
    }
}

/// What a handler tells the journal about the request it answered.
#[derive(Clone, Default)]
pub(crate) struct Note {
    pub errcode: i64,
    pub user: Option<Arc<User>>,
    pub body: Option<Bytes>,
}

tokio::task_local! {
    /// Where a handler leaves its note for the request's journal record: a task-local slot,
    /// since response extensions would cost allocations on every request.
    static NOTE: RefCell<Note>;
}

/// Runs a request's handling with an empty note slot, and returns what the handler left.
pub(crate) async fn observed<F: Future<Output = Response>>(handling: F) -> (Response, Note) {
    NOTE.scope(RefCell::new(Note::default()), async {
        let response = handling.await;
        let note = NOTE
            .try_with(|slot| std::mem::take(&mut *slot.borrow_mut()))
            .unwrap_or_default();
        (response, note)
    })
    .await
}

/// Leaves the note of the request being answered (ignored outside `observed`).
pub(crate) fn leave(note: Note) {
    let _ = NOTE.try_with(|slot| *slot.borrow_mut() = note);
}

impl Note {
    pub(crate) fn body(body: &Bytes) -> Note {
        Note {
            body: Some(body.clone()),
            ..Note::default()
        }
    }
}

/// The first value of each named parameter, `application/x-www-form-urlencoded` decoded.
/// Malformed escapes are kept literally and invalid UTF-8 is replaced, as a lenient server
/// would; unknown parameters are ignored.
pub(crate) fn take<'a, const N: usize>(
    query: &'a str,
    names: [&str; N],
) -> [Option<Cow<'a, str>>; N] {
    let mut out = [const { None }; N];
    // Pairs split here, and handed to form_urlencoded only when one has an escape or a `+`:
    // its parser decodes every key and value (three passes and often an allocation each),
    // which was a quarter of a jscode2session's instructions; text without either decodes to
    // itself.
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = if pair.bytes().any(|b| b == b'%' || b == b'+') {
            match form_urlencoded::parse(pair.as_bytes()).next() {
                Some(kv) => kv,
                None => continue,
            }
        } else {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (Cow::Borrowed(k), Cow::Borrowed(v))
        };
        if let Some(i) = names.iter().position(|n| *n == key)
            && out[i].is_none()
            && value.len() <= VALUE_LIMIT * 3
        {
            out[i] = Some(value);
        }
    }
    out
}

/// Marks a response as the connection's last: after a body too large to read, the rest of it
/// is still on the wire, so the connection cannot carry another request.
pub(crate) fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// WeChat's errmsg for the errcodes the mock gives (without the `, rid: ...` suffix), from
/// the core's one errcode table.
pub(crate) fn errmsg(errcode: i64) -> &'static str {
    crate::core::errcode::wechat_errmsg(errcode).unwrap_or("mock injected error")
}

const JSON_TYPE: &str = "application/json; encoding=utf-8";

pub(crate) fn json_bytes(status: StatusCode, body: Vec<u8>, note: Note) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_TYPE));
    leave(note);
    r
}

pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T, note: Note) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => json_bytes(status, body, note),
        Err(_) => json_bytes(
            StatusCode::INTERNAL_SERVER_ERROR,
            br#"{"errcode":-1,"errmsg":"system error"}"#.to_vec(),
            note,
        ),
    }
}

/// `{"errcode":N,"errmsg":"..., rid: ..."}` with HTTP 200, as WeChat answers every failure.
pub(crate) fn wechat_error(state: &State, errcode: i64, mut note: Note) -> Response {
    note.errcode = errcode;
    let body = serde_json::json!({
        "errcode": errcode,
        "errmsg": format!("{}, rid: {}", errmsg(errcode), state.rid()),
    });
    json(StatusCode::OK, &body, note)
}

/// WeChat's answer with a caller-chosen errmsg (fault injection).
pub(crate) fn wechat_error_text(
    state: &State,
    errcode: i64,
    text: &str,
    mut note: Note,
) -> Response {
    note.errcode = errcode;
    let body = serde_json::json!({
        "errcode": errcode,
        "errmsg": format!("{text}, rid: {}", state.rid()),
    });
    json(StatusCode::OK, &body, note)
}

/// A control route's refusal: a 4xx status with the same JSON shape as WeChat's errors.
pub(crate) fn refused(r: Refusal, mut note: Note) -> Response {
    note.errcode = r.errcode;
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::json!({"errcode": r.errcode, "errmsg": r.message});
    json(status, &body, note)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_first_values_and_decodes_leniently() {
        let [a, b, c] = take("b=2&a=x%2By+z&a=second&junk&c=%zz%4", ["a", "b", "c"]);
        assert_eq!(a.as_deref(), Some("x+y z"));
        assert_eq!(b.as_deref(), Some("2"));
        assert_eq!(c.as_deref(), Some("%zz%4"));
        let [d] = take("d=%ff%fe", ["d"]);
        assert_eq!(d.as_deref(), Some("\u{fffd}\u{fffd}"));
        let [e] = take("", ["e"]);
        assert!(e.is_none());
    }

    /// The hand split gives what form_urlencoded's parser gives, escapes or not.
    #[test]
    fn takes_what_form_urlencoded_parses() {
        let queries = [
            "appid=wx1&secret=s&js_code=abc&grant_type=authorization_code",
            "&&appid=&appid=wx2&=x&secret==a=b&js_code",
            "app%69d=wx3&secret=a+b&js_code=%41%zz&grant_type=x%2",
            "appid=名字&secret=%E5%90%8D&js_code=+&grant_type=%",
        ];
        let names = ["appid", "secret", "js_code", "grant_type"];
        for q in queries {
            let mut want: [Option<String>; 4] = Default::default();
            for (k, v) in form_urlencoded::parse(q.as_bytes()) {
                if let Some(i) = names.iter().position(|n| *n == k)
                    && want[i].is_none()
                {
                    want[i] = Some(v.into_owned());
                }
            }
            let got = take(q, names).map(|v| v.map(Cow::into_owned));
            assert_eq!(got, want, "{q}");
        }
    }
}
