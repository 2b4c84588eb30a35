//! `{{name}}` placeholders in flow files, and JSON-pointer captures from responses: a string
//! that is exactly one placeholder becomes the value itself, anywhere else its text.

use std::collections::BTreeMap;

use serde_json::Value;

/// Values known so far in a run: what the wx steps produced and what steps captured.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: BTreeMap<String, Value>,
}

impl Vars {
    pub fn set(&mut self, name: &str, value: Value) {
        self.values.insert(name.to_string(), value);
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Renders a string: `"{{name}}"` alone gives the value as JSON (an object stays an
    /// object); placeholders inside longer text are replaced by the value's text.
    pub fn render_str(&self, template: &str) -> Result<Value, String> {
        let parts = split(template)?;
        if let [Part::Var(name)] = parts.as_slice() {
            return self.lookup(name).cloned();
        }
        Ok(Value::String(self.render_text_parts(&parts)?))
    }

    /// Renders a string where only text makes sense (URLs, headers, form values).
    pub fn render_text(&self, template: &str) -> Result<String, String> {
        let parts = split(template)?;
        self.render_text_parts(&parts)
    }

    /// Renders every string inside a JSON value, keys left as written.
    pub fn render_value(&self, value: &Value) -> Result<Value, String> {
        Ok(match value {
            Value::String(s) => self.render_str(s)?,
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.render_value(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    out.insert(k.clone(), self.render_value(v)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }

    fn render_text_parts(&self, parts: &[Part<'_>]) -> Result<String, String> {
        let mut out = String::new();
        for part in parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Var(name) => out.push_str(&as_text(self.lookup(name)?)),
            }
        }
        Ok(out)
    }

    fn lookup(&self, name: &str) -> Result<&Value, String> {
        self.values
            .get(name)
            .ok_or_else(|| format!("{{{{{name}}}}} has no value yet"))
    }
}

/// A value as text: strings as they are, anything else as compact JSON.
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[derive(Debug, PartialEq)]
enum Part<'a> {
    Text(&'a str),
    Var(&'a str),
}

fn split(template: &str) -> Result<Vec<Part<'_>>, String> {
    let mut parts = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        if start > 0 {
            parts.push(Part::Text(&rest[..start]));
        }
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(format!("unterminated {{{{ in \"{template}\""));
        };
        let name = after[..end].trim();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
        {
            return Err(format!(
                "\"{{{{{}}}}}\" is not a variable name (letters, digits, '_', '-', '.')",
                &after[..end]
            ));
        }
        parts.push(Part::Var(name));
        rest = &after[end + 2..];
    }
    if !rest.is_empty() || parts.is_empty() {
        parts.push(Part::Text(rest));
    }
    Ok(parts)
}

/// The variable names a string refers to (for checking a flow before running it).
pub fn placeholders(template: &str) -> Result<Vec<&str>, String> {
    Ok(split(template)?
        .into_iter()
        .filter_map(|p| match p {
            Part::Var(name) => Some(name),
            Part::Text(_) => None,
        })
        .collect())
}

/// Every placeholder inside a JSON value's strings.
pub fn placeholders_in_value<'a>(value: &'a Value, out: &mut Vec<&'a str>) -> Result<(), String> {
    match value {
        Value::String(s) => out.extend(placeholders(s)?),
        Value::Array(items) => {
            for v in items {
                placeholders_in_value(v, out)?;
            }
        }
        Value::Object(map) => {
            for v in map.values() {
                placeholders_in_value(v, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Where a capture takes its value from.
#[derive(Debug, Clone, PartialEq)]
pub enum CaptureSource {
    /// A JSON pointer into the response body (`""` is the whole body).
    Pointer(String),
    /// A response header (`header:Name`), for backends that return the token there.
    Header(String),
}

impl CaptureSource {
    pub fn parse(spec: &str) -> Result<CaptureSource, String> {
        if let Some(name) = spec.strip_prefix("header:") {
            let name = name.trim();
            if name.is_empty() {
                return Err(
                    "\"header:\" needs a header name, e.g. \"header:Authorization\"".into(),
                );
            }
            return Ok(CaptureSource::Header(name.to_string()));
        }
        if spec.is_empty() || spec.starts_with('/') {
            return Ok(CaptureSource::Pointer(spec.to_string()));
        }
        Err(format!(
            "\"{spec}\" is not a JSON pointer: it starts with '/' (e.g. \"/{spec}\"), or use \"header:NAME\""
        ))
    }

    pub fn describe(&self) -> String {
        match self {
            CaptureSource::Pointer(p) if p.is_empty() => "the whole body".to_string(),
            CaptureSource::Pointer(p) => p.clone(),
            CaptureSource::Header(h) => format!("header {h}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Vars {
        let mut v = Vars::default();
        v.set("code", json!("061abc"));
        v.set("userinfo", json!({"rawData": "{}", "iv": "x"}));
        v.set("n", json!(3));
        v
    }

    #[test]
    fn exact_placeholder_keeps_the_json_value() {
        let v = vars();
        assert_eq!(
            v.render_str("{{userinfo}}").unwrap(),
            json!({"rawData": "{}", "iv": "x"})
        );
        assert_eq!(v.render_str("{{ n }}").unwrap(), json!(3));
    }

    #[test]
    fn placeholder_inside_text_is_substituted_as_text() {
        let v = vars();
        assert_eq!(
            v.render_str("Bearer {{code}}").unwrap(),
            json!("Bearer 061abc")
        );
        assert_eq!(v.render_text("n={{n}}&c={{code}}").unwrap(), "n=3&c=061abc");
        assert_eq!(
            v.render_str("u={{userinfo}}").unwrap(),
            json!(r#"u={"rawData":"{}","iv":"x"}"#)
        );
        assert_eq!(v.render_str("plain").unwrap(), json!("plain"));
        assert_eq!(v.render_str("").unwrap(), json!(""));
    }

    #[test]
    fn renders_nested_values_and_reports_unknown_names() {
        let v = vars();
        let body = json!({"a": ["{{code}}", {"b": "{{n}}"}], "k": true});
        assert_eq!(
            v.render_value(&body).unwrap(),
            json!({"a": ["061abc", {"b": 3}], "k": true})
        );
        assert!(v.render_str("{{nope}}").unwrap_err().contains("nope"));
        assert!(v.render_str("{{code").unwrap_err().contains("unterminated"));
        assert!(placeholders("{{a b}}").is_err());
        assert_eq!(placeholders("x{{a}}y{{b}}").unwrap(), vec!["a", "b"]);
    }

    #[test]
    fn capture_specs() {
        assert_eq!(
            CaptureSource::parse("/data/token").unwrap(),
            CaptureSource::Pointer("/data/token".into())
        );
        assert_eq!(
            CaptureSource::parse("header:X-Token").unwrap(),
            CaptureSource::Header("X-Token".into())
        );
        assert!(CaptureSource::parse("session_id").is_err());
    }
}
