//! What a native runner changes in the core's [`PrescanPlan`] before it
//! runs: the `Cookie` header a browser withholds is sent
//! ([`send_cookies`]), and methods other than the safe ones may be allowed
//! one by one ([`allow_methods`]) where the core allows all or none.

use prescan_core::prescan::{PrescanPlan, SkipReason, Skipped, SAFE_METHODS};

/// Puts the `Cookie` header a browser withholds back into each request of
/// the plan: the server can send it.
pub fn send_cookies(plan: &mut PrescanPlan) {
    for req in &mut plan.requests {
        let Some(pos) = req
            .withheld_headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case("cookie"))
        else {
            continue;
        };
        let Some(entry) = plan.entries.get(req.index) else {
            continue;
        };
        let from_header = entry
            .request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("cookie"))
            .map(|h| h.value.replace(['\r', '\n'], " "));
        let value = from_header.or_else(|| {
            (!entry.request.cookies.is_empty()).then(|| {
                entry
                    .request
                    .cookies
                    .iter()
                    .map(|c| format!("{}={}", c.name, c.value))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        });
        if let Some(value) = value {
            let name = req.withheld_headers.remove(pos);
            req.headers.push((name, value));
        }
    }
}

/// Narrows a plan made with `allow_unsafe_methods` to the methods allowed:
/// a request whose method is neither safe (`GET`, `HEAD`, `OPTIONS`) nor in
/// `allowed` (compared without case; `*` allows every method) is skipped as
/// the core skips unsafe methods ([`SkipReason::UnsafeMethod`]), so the
/// report counts and notes it the same way. A plan made without
/// `allow_unsafe_methods` sends safe methods only already: left as it is.
pub fn allow_methods(plan: &mut PrescanPlan, allowed: &[String]) {
    if !plan.settings.allow_unsafe_methods || allowed.iter().any(|m| m == "*") {
        return;
    }
    let permitted = |method: &str| {
        SAFE_METHODS.contains(&method) || allowed.iter().any(|m| m.eq_ignore_ascii_case(method))
    };
    let (kept, refused): (Vec<_>, Vec<_>) = std::mem::take(&mut plan.requests)
        .into_iter()
        .partition(|r| permitted(&r.method));
    plan.requests = kept;
    plan.skipped.extend(refused.into_iter().map(|r| {
        Skipped {
            index: r.index,
            method: r.method,
            url: plan
                .entries
                .get(r.index)
                .map_or(r.url, |e| e.request.url.clone()),
            reason: SkipReason::UnsafeMethod,
        }
    }));
    plan.skipped.sort_by_key(|s| s.index);
}

#[cfg(test)]
mod tests {
    use super::*;
    use prescan_core::prescan::PrescanSettings;

    fn plan(allow_unsafe_methods: bool) -> PrescanPlan {
        let spec = r#"{"openapi": "3.0.3", "info": {"title": "T", "version": "1"},
          "servers": [{"url": "http://127.0.0.1:9/v1"}],
          "paths": {"/a": {
            "get": {"responses": {"200": {"description": "ok"}}},
            "put": {"responses": {"200": {"description": "ok"}}},
            "delete": {"responses": {"200": {"description": "ok"}}}}}}"#;
        let c = prescan_core::convert("t.json", spec.as_bytes(), &Default::default()).unwrap();
        let settings = PrescanSettings {
            allow_unsafe_methods,
            ..PrescanSettings::default()
        };
        PrescanPlan::new(&c.har, &settings)
    }

    fn methods(plan: &PrescanPlan) -> (Vec<&str>, Vec<&str>) {
        (
            plan.requests.iter().map(|r| r.method.as_str()).collect(),
            plan.skipped.iter().map(|s| s.method.as_str()).collect(),
        )
    }

    #[test]
    fn only_the_methods_allowed_are_sent() {
        let mut p = plan(true);
        allow_methods(&mut p, &["put".to_owned()]);
        assert_eq!(methods(&p), (vec!["GET", "PUT"], vec!["DELETE"]));
        assert!(matches!(p.skipped[0].reason, SkipReason::UnsafeMethod));

        let mut all = plan(true);
        allow_methods(&mut all, &["*".to_owned()]);
        assert_eq!(methods(&all), (vec!["GET", "PUT", "DELETE"], vec![]));

        let mut safe = plan(false);
        allow_methods(&mut safe, &["PUT".to_owned()]);
        assert_eq!(methods(&safe), (vec!["GET"], vec!["PUT", "DELETE"]));
    }
}
