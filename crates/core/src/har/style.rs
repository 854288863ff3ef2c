//! Parameter values → text, by OpenAPI 3 `style` and `explode`.

use serde_json::Value;

use crate::encode::percent;
use crate::plan::{ParamPlan, Style};

/// A primitive as text; arrays and objects nested inside a value as JSON.
pub(crate) fn scalar(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// The parts of a value: items of an array, key/value pairs of an object.
enum Parts<'v> {
    One(&'v Value),
    List(&'v [Value]),
    Pairs(Vec<(&'v str, &'v Value)>),
}

fn parts(v: &Value) -> Parts<'_> {
    match v {
        Value::Array(items) => Parts::List(items),
        Value::Object(map) => Parts::Pairs(map.iter().map(|(k, v)| (k.as_str(), v)).collect()),
        other => Parts::One(other),
    }
}

/// A path parameter's text for the URL (encoded).
pub(crate) fn path(p: &ParamPlan) -> String {
    let enc = |v: &Value| percent(&scalar(v), false);
    let name = percent(&p.name, false);
    match (p.style, parts(&p.value)) {
        (Style::Label, Parts::One(v)) => format!(".{}", enc(v)),
        (Style::Label, Parts::List(items)) => {
            let sep = if p.explode { "." } else { "," };
            format!(".{}", items.iter().map(enc).collect::<Vec<_>>().join(sep))
        }
        (Style::Label, Parts::Pairs(pairs)) => {
            let (kv, sep) = if p.explode { ("=", ".") } else { (",", ",") };
            format!(
                ".{}",
                pairs
                    .iter()
                    .map(|(k, v)| format!("{}{kv}{}", percent(k, false), enc(v)))
                    .collect::<Vec<_>>()
                    .join(sep)
            )
        }
        (Style::Matrix, Parts::One(v)) => format!(";{name}={}", enc(v)),
        (Style::Matrix, Parts::List(items)) => {
            if p.explode {
                items
                    .iter()
                    .map(|i| format!(";{name}={}", enc(i)))
                    .collect()
            } else {
                format!(
                    ";{name}={}",
                    items.iter().map(enc).collect::<Vec<_>>().join(",")
                )
            }
        }
        (Style::Matrix, Parts::Pairs(pairs)) => {
            if p.explode {
                pairs
                    .iter()
                    .map(|(k, v)| format!(";{}={}", percent(k, false), enc(v)))
                    .collect()
            } else {
                format!(
                    ";{name}={}",
                    pairs
                        .iter()
                        .map(|(k, v)| format!("{},{}", percent(k, false), enc(v)))
                        .collect::<Vec<_>>()
                        .join(",")
                )
            }
        }
        (_, value) => simple(value, p.explode, &|s| percent(s, false)),
    }
}

/// `simple` style: `a,b,c`; objects `k,v,k2,v2` or (exploded) `k=v,k2=v2`.
fn simple(value: Parts<'_>, explode: bool, enc: &dyn Fn(&str) -> String) -> String {
    match value {
        Parts::One(v) => enc(&scalar(v)),
        Parts::List(items) => items
            .iter()
            .map(|i| enc(&scalar(i)))
            .collect::<Vec<_>>()
            .join(","),
        Parts::Pairs(pairs) => {
            let kv = if explode { "=" } else { "," };
            pairs
                .iter()
                .map(|(k, v)| format!("{}{kv}{}", enc(k), enc(&scalar(v))))
                .collect::<Vec<_>>()
                .join(",")
        }
    }
}

/// A header parameter's value.
pub(crate) fn header(p: &ParamPlan) -> String {
    let text = simple(parts(&p.value), p.explode, &|s| s.to_owned());
    text.replace(['\r', '\n'], " ")
}

/// A cookie parameter's cookies, (name, value) as sent: `form` style, so an
/// exploded array is one cookie per item and an exploded object one cookie
/// per property; otherwise one cookie, items comma-joined. Characters a
/// cookie cannot hold are percent-encoded.
pub(crate) fn cookies(p: &ParamPlan) -> Vec<(String, String)> {
    if p.verbatim {
        return vec![(p.name.clone(), cookie_text(&scalar(&p.value)))];
    }
    match (p.explode, parts(&p.value)) {
        (true, Parts::List(items)) => items
            .iter()
            .map(|i| (p.name.clone(), cookie_text(&scalar(i))))
            .collect(),
        (true, Parts::Pairs(pairs)) => pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), cookie_text(&scalar(v))))
            .collect(),
        (_, value) => vec![(
            p.name.clone(),
            cookie_text(&simple(value, false, &|s| s.to_owned())),
        )],
    }
}

/// Percent-encodes what a cookie value cannot hold (white space, `"`, `,`,
/// `;`, `\`, `%`, controls, non-ASCII).
pub(crate) fn cookie_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if (0x21..=0x7E).contains(&b) && !matches!(b, b'"' | b',' | b';' | b'\\' | b'%') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One query pair: name and value decoded (for `queryString`) and encoded
/// (for the URL).
pub(crate) struct QueryPair {
    pub name: String,
    pub value: String,
    pub encoded: String,
}

/// A query parameter's pairs.
pub(crate) fn query(p: &ParamPlan) -> Vec<QueryPair> {
    let enc = |s: &str| percent(s, p.allow_reserved);
    let pair = |name: &str, value: String, encoded_value: String| QueryPair {
        name: name.to_owned(),
        // `[` and `]` stay as they are (deepObject names), as the OpenAPI
        // style table writes them and servers expect them.
        encoded: format!(
            "{}={encoded_value}",
            percent(name, false).replace("%5B", "[").replace("%5D", "]")
        ),
        value,
    };
    let joined = |items: Vec<String>, sep: &str, enc_sep: &str| {
        let encoded = items
            .iter()
            .map(|i| enc(i))
            .collect::<Vec<_>>()
            .join(enc_sep);
        (items.join(sep), encoded)
    };
    match (p.style, parts(&p.value)) {
        (_, Parts::One(v)) => {
            let s = scalar(v);
            vec![pair(&p.name, s.clone(), enc(&s))]
        }
        (Style::DeepObject, Parts::Pairs(pairs)) => pairs
            .into_iter()
            .map(|(k, v)| {
                let s = scalar(v);
                pair(&format!("{}[{k}]", p.name), s.clone(), enc(&s))
            })
            .collect(),
        (Style::Form, Parts::List(items)) if p.explode => items
            .iter()
            .map(|i| {
                let s = scalar(i);
                pair(&p.name, s.clone(), enc(&s))
            })
            .collect(),
        (Style::Form, Parts::Pairs(pairs)) if p.explode => pairs
            .into_iter()
            .map(|(k, v)| {
                let s = scalar(v);
                pair(k, s.clone(), enc(&s))
            })
            .collect(),
        (style, value) => {
            let (sep, enc_sep) = match style {
                Style::SpaceDelimited => (" ", "%20"),
                Style::PipeDelimited => ("|", "|"),
                _ => (",", ","),
            };
            let items: Vec<String> = match value {
                Parts::List(items) => items.iter().map(scalar).collect(),
                Parts::Pairs(pairs) => pairs
                    .into_iter()
                    .flat_map(|(k, v)| [k.to_owned(), scalar(v)])
                    .collect(),
                Parts::One(v) => vec![scalar(v)],
            };
            let (value, encoded) = joined(items, sep, enc_sep);
            vec![pair(&p.name, value, encoded)]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Location;
    use serde_json::json;

    fn plan(style: Style, explode: bool, value: Value) -> ParamPlan {
        ParamPlan {
            name: "id".into(),
            location: Location::Path,
            style,
            explode,
            allow_reserved: false,
            value: value.into(),
            verbatim: false,
        }
    }

    #[test]
    fn path_styles() {
        // The OpenAPI 3.0 style examples.
        let arr = json!(["blue", "black", "brown"]);
        let obj = json!({"R": 100, "G": 200, "B": 150});
        assert_eq!(path(&plan(Style::Simple, false, json!("blue"))), "blue");
        assert_eq!(
            path(&plan(Style::Simple, false, arr.clone())),
            "blue,black,brown"
        );
        assert_eq!(
            path(&plan(Style::Simple, false, obj.clone())),
            "R,100,G,200,B,150"
        );
        assert_eq!(
            path(&plan(Style::Simple, true, obj.clone())),
            "R=100,G=200,B=150"
        );
        assert_eq!(
            path(&plan(Style::Label, false, arr.clone())),
            ".blue,black,brown"
        );
        assert_eq!(
            path(&plan(Style::Label, true, arr.clone())),
            ".blue.black.brown"
        );
        assert_eq!(
            path(&plan(Style::Label, true, obj.clone())),
            ".R=100.G=200.B=150"
        );
        assert_eq!(path(&plan(Style::Matrix, false, json!("blue"))), ";id=blue");
        assert_eq!(
            path(&plan(Style::Matrix, true, arr.clone())),
            ";id=blue;id=black;id=brown"
        );
        assert_eq!(
            path(&plan(Style::Matrix, false, obj.clone())),
            ";id=R,100,G,200,B,150"
        );
        assert_eq!(path(&plan(Style::Matrix, true, obj)), ";R=100;G=200;B=150");
        assert_eq!(
            path(&plan(Style::Simple, false, json!("a b/c"))),
            "a%20b%2Fc"
        );
    }

    fn q(style: Style, explode: bool, value: Value) -> Vec<(String, String, String)> {
        query(&plan(style, explode, value))
            .into_iter()
            .map(|p| (p.name, p.value, p.encoded))
            .collect()
    }

    #[test]
    fn query_styles() {
        let arr = json!(["blue", "black"]);
        assert_eq!(
            q(Style::Form, true, arr.clone()),
            vec![
                ("id".into(), "blue".into(), "id=blue".into()),
                ("id".into(), "black".into(), "id=black".into()),
            ]
        );
        assert_eq!(
            q(Style::Form, false, arr.clone()),
            vec![("id".into(), "blue,black".into(), "id=blue,black".into())]
        );
        assert_eq!(
            q(Style::SpaceDelimited, false, arr.clone()),
            vec![("id".into(), "blue black".into(), "id=blue%20black".into())]
        );
        assert_eq!(
            q(Style::PipeDelimited, false, arr),
            vec![("id".into(), "blue|black".into(), "id=blue|black".into())]
        );
        assert_eq!(
            q(Style::DeepObject, true, json!({"R": 1})),
            vec![("id[R]".into(), "1".into(), "id[R]=1".into())]
        );
        assert_eq!(
            q(Style::Form, true, json!({"R": 1})),
            vec![("R".into(), "1".into(), "R=1".into())]
        );
        assert_eq!(
            q(Style::Form, true, json!("a&b")),
            vec![("id".into(), "a&b".into(), "id=a%26b".into())]
        );
    }

    #[test]
    fn cookies_are_sendable() {
        assert_eq!(cookie_text("<API key: x>"), "<API%20key:%20x>");
        assert_eq!(cookie_text("a;b,c"), "a%3Bb%2Cc");
    }
}
