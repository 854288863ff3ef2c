//! Browser tests of the app's components, in headless Chromium
//! (`wasm-bindgen-test`; run by `scripts/test`).

#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use prescan::components::diagnostics::Diagnostics;
use prescan::components::endpoints_table::EndpointsTable;
use prescan::components::method_badge::MethodBadge;
use prescan_core::{Diagnostic, Endpoint, Method, Severity};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts `view` in a fresh element and returns that element.
fn mount<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone(), view);
    // Keep the view alive for the rest of the test.
    std::mem::forget(handle);
    host
}

fn endpoint(i: usize, summary: &str) -> Endpoint {
    Endpoint {
        method: if i.is_multiple_of(2) {
            Method::Get
        } else {
            Method::Post
        },
        path: format!("/items/{i}"),
        operation_id: Some(format!("op{i}")),
        summary: (!summary.is_empty()).then(|| summary.to_owned()),
        parameter_count: i % 3,
        auth_required: i % 2 == 1,
        deprecated: false,
        pointer: format!("/paths/~1items~1{i}/get"),
        tags: if i < 3 {
            vec!["first".into()]
        } else {
            Vec::new()
        },
        scope: Default::default(),
        user_values: Vec::new(),
    }
}

#[wasm_bindgen_test]
fn endpoints_table_lists_the_first_hundred_with_caption_and_scopes() {
    let endpoints: Vec<_> = (0..150).map(|i| endpoint(i, "")).collect();
    let host = mount(move || view! { <EndpointsTable endpoints=endpoints on_open=|_| {} /> });
    let rows = host.query_selector_all("tbody tr").unwrap();
    assert_eq!(rows.length(), 100);
    let caption = host
        .query_selector("caption")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(
        caption,
        "The first 100 of 150 endpoints, in specification order"
    );
    let headers = host.query_selector_all("thead th[scope=col]").unwrap();
    assert_eq!(headers.length(), 7);
    let first = rows.get(0).unwrap().text_content().unwrap();
    assert!(first.contains("GET"), "{first}");
    assert!(first.contains("/items/0"), "{first}");
    assert!(
        first.contains("op0"),
        "operationId stands in for a missing summary: {first}"
    );
    let second = rows.get(1).unwrap().text_content().unwrap();
    assert!(second.contains("Required"), "{second}");
}

#[wasm_bindgen_test]
async fn endpoints_table_finds_filters_and_groups() {
    use prescan::components::endpoints_table::EndpointsView;
    let endpoints: Vec<_> = (0..20).map(|i| endpoint(i, "")).collect();
    let shown = EndpointsView::new();
    let host =
        mount(move || view! { <EndpointsTable endpoints=endpoints view=shown on_open=|_| {} /> });
    let rows = |host: &HtmlElement| {
        host.query_selector_all("[data-testid=endpoint-row]")
            .unwrap()
            .length()
    };
    assert_eq!(rows(&host), 20);
    // "/items/1" is in /items/1 and /items/10../items/19.
    shown.find.set("items/1".into());
    tick().await;
    assert_eq!(rows(&host), 11);
    shown.method.set("GET".into());
    tick().await;
    assert_eq!(
        rows(&host),
        5,
        "/items/10, 12, 14, 16 and 18; /items/1 and the odd ones are POSTs"
    );
    let caption = host
        .query_selector("caption")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(caption, "5 matches of 20 endpoints, in specification order");
    shown.find.set(String::new());
    shown.method.set(String::new());
    shown.by_tag.set(true);
    tick().await;
    let groups = host
        .query_selector_all("[data-testid=endpoint-group-name]")
        .unwrap();
    assert_eq!(groups.length(), 2);
    assert_eq!(groups.get(0).unwrap().text_content().unwrap(), "first (3)");
    assert_eq!(
        groups.get(1).unwrap().text_content().unwrap(),
        "No tag (17)"
    );
}

/// Lets the reactive system run its effects.
async fn tick() {
    let promise = js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL);
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
    gloo_timers_sleep().await;
}

async fn gloo_timers_sleep() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// Issue 18: each row marks its scope in words and with an icon, excluded
/// rows are muted and listed up to the 100th endpoint in scope, a row's
/// control reports the endpoint and the decision, and the values that came
/// from the user are marked.
#[wasm_bindgen_test]
async fn endpoints_table_marks_and_sets_each_endpoints_scope() {
    use prescan_core::ScopeDecision;
    let mut endpoints: Vec<_> = (0..110).map(|i| endpoint(i, "")).collect();
    for e in endpoints.iter_mut().take(5) {
        e.scope = ScopeDecision::Exclude;
    }
    endpoints[6].user_values = vec!["path:petId".into()];
    let set = Callback::new(|_: (usize, ScopeDecision)| {});
    let host =
        mount(move || view! { <EndpointsTable endpoints=endpoints on_open=|_| {} on_scope=set /> });
    let rows = host
        .query_selector_all("[data-testid=endpoint-row]")
        .unwrap();
    assert_eq!(
        rows.length(),
        105,
        "100 in scope and the 5 excluded among them"
    );
    let first: HtmlElement = rows.get(0).unwrap().unchecked_into();
    assert_eq!(
        first.get_attribute("data-scope").as_deref(),
        Some("Exclude")
    );
    assert!(first.class_name().contains("endpoint-row--excluded"));
    let mark = first
        .query_selector("[data-testid=endpoint-scope]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(mark.contains("Excluded"), "{mark}");
    assert!(mark.contains("not sent"), "{mark}");
    assert!(first.query_selector("svg.icon").unwrap().is_some());
    let included: HtmlElement = rows.get(5).unwrap().unchecked_into();
    assert_eq!(
        included.get_attribute("data-scope").as_deref(),
        Some("Include")
    );
    assert!(!included.class_name().contains("excluded"));
    let user = rows
        .get(6)
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .query_selector("[data-testid=endpoint-user-values]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(user.contains("path:petId"), "{user}");
    // Ignore is offered for Postman collections only.
    let options = included
        .query_selector_all("[data-testid=endpoint-scope-select] option")
        .unwrap();
    assert_eq!(options.length(), 2);
    let caption = host
        .query_selector("caption")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(
        caption,
        "The first 105 of 110 endpoints, in specification order: 100 in scope, 5 excluded (not sent)"
    );
}

#[wasm_bindgen_test]
async fn a_rows_scope_control_reports_the_endpoint_and_the_decision() {
    use prescan_core::ScopeDecision;
    let endpoints: Vec<_> = (0..3).map(|i| endpoint(i, "")).collect();
    let chosen = RwSignal::new(None::<(usize, ScopeDecision)>);
    let set = Callback::new(move |choice: (usize, ScopeDecision)| chosen.set(Some(choice)));
    let host = mount(move || {
        view! { <EndpointsTable endpoints=endpoints on_open=|_| {} on_scope=set ignore_allowed=true /> }
    });
    let select: HtmlElement = host
        .query_selector("#endpoint-scope-2")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(
        select.query_selector_all("option").unwrap().length(),
        3,
        "Include, Exclude and Ignore"
    );
    assert_eq!(
        select.get_attribute("aria-label").as_deref(),
        Some("Scope of GET /items/2")
    );
    js_sys::Reflect::set(&select, &"value".into(), &"Exclude".into()).unwrap();
    select
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    tick().await;
    assert_eq!(chosen.get_untracked(), Some((2, ScopeDecision::Exclude)));
}

#[wasm_bindgen_test]
fn specification_text_is_rendered_as_text_never_as_html() {
    let hostile = "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=1\">";
    let endpoints = vec![endpoint(0, hostile)];
    let host = mount(move || view! { <EndpointsTable endpoints=endpoints on_open=|_| {} /> });
    assert!(host.query_selector("script").unwrap().is_none());
    assert!(host.query_selector("img").unwrap().is_none());
    let text = host.text_content().unwrap();
    assert!(text.contains(hostile), "{text}");
}

#[wasm_bindgen_test]
fn method_badge_carries_the_method_as_text() {
    let host = mount(|| view! { <MethodBadge method="DELETE" /> });
    let badge = host
        .query_selector("[data-testid=method-badge]")
        .unwrap()
        .unwrap();
    assert_eq!(badge.text_content().unwrap(), "DELETE");
    assert!(badge.class_name().contains("method--delete"));
}

#[wasm_bindgen_test]
fn diagnostics_show_severity_text_message_and_place_most_severe_first() {
    let note = Diagnostic::new(Severity::Information, "", "Note");
    let mut broken = Diagnostic::new(Severity::Error, "/paths/~1a/get", "Broken operation");
    broken.line = Some(12);
    let diagnostics = vec![note, broken];
    let host = mount(move || view! { <Diagnostics diagnostics=diagnostics /> });
    let items = host.query_selector_all("[data-testid=diagnostic]").unwrap();
    assert_eq!(items.length(), 2);
    let first = items.get(0).unwrap().text_content().unwrap();
    assert!(first.contains("Error"), "{first}");
    assert!(first.contains("Broken operation"), "{first}");
    assert!(first.contains("/paths/~1a/get (line 12)"), "{first}");
    let second = items.get(1).unwrap().text_content().unwrap();
    assert!(
        second.contains("Information") && second.contains("the whole document"),
        "{second}"
    );
}

/// The analysis page as a Reviewer sees it (issue 16): the actions their
/// roles do not allow are disabled, each pointing to the refusal's
/// sentence; when their roles change, the page follows.
#[wasm_bindgen_test]
async fn a_reviewer_sees_configure_and_delete_disabled_with_the_reason() {
    use prescan::pages::analysis::AnalysisPage;
    use prescan::store::people::Acting;
    use prescan::store::AppStore;
    use prescan_core::analysis::{
        NewAnalysis, ScanDraft, ScanDuration, ScanTarget, Schedule, Start,
    };
    use prescan_core::people::{Principal, Role, Visibility};
    use std::cell::Cell;
    use std::rc::Rc;

    let reviewer = Principal {
        name: "rex".into(),
        roles: vec![Role::Reviewer],
        teams: vec!["payments".into()],
    };
    let acting = RwSignal::new(reviewer);
    let shown = RwSignal::new(None::<String>);
    let store = Rc::new(Cell::new(None::<AppStore>));
    let slot = store.clone();
    let host = mount(move || {
        slot.set(Some(AppStore::provide()));
        // Who the page acts for: the Reviewer (the store provides every
        // role in this browser; a nearer context wins).
        provide_context(Acting(acting.into()));
        move || shown.get().map(|id| view! { <AnalysisPage id=id /> })
    });
    let app = store.get().expect("the store is provided");
    app.started().await;
    let created = app
        .create(NewAnalysis {
            name: "Payments API, shared".into(),
            scans: vec![ScanDraft::new(ScanTarget::Url(
                "https://payments.example.com/".into(),
            ))],
            schedule: Schedule {
                start: Start::Unscheduled,
                duration: ScanDuration::Days(1),
            },
            prescan: false,
            permission_certified: true,
            visibility: Visibility::teams(vec!["payments".into()]),
        })
        .await
        .expect("created");
    shown.set(Some(created.id.to_string()));
    tick().await;

    let button = |testid: &str| -> web_sys::HtmlButtonElement {
        host.query_selector(&format!("[data-testid={testid}]"))
            .unwrap()
            .unwrap_or_else(|| panic!("no {testid}"))
            .unchecked_into()
    };
    let reason_of = |b: &web_sys::HtmlButtonElement| -> String {
        let id = b
            .get_attribute("aria-describedby")
            .expect("points to its reason");
        host.query_selector(&format!("[id='{id}']"))
            .unwrap()
            .expect("the reason is on the page")
            .text_content()
            .unwrap()
    };
    for (testid, sentence) in [
        (
            "action-configure",
            "To configure an analysis, you need one of the Security Lead, Creator or Submitter roles.",
        ),
        (
            "action-delete",
            "To delete an analysis, you need one of the Security Lead or Creator roles.",
        ),
        (
            "action-run-again",
            "To submit or schedule an analysis, you need one of the Security Lead, Creator or Submitter roles.",
        ),
    ] {
        let b = button(testid);
        assert!(b.disabled(), "{testid} is disabled for a Reviewer");
        assert!(b.class_name().contains("button--unavailable"), "{testid}");
        let reason = reason_of(&b);
        assert!(reason.contains(sentence), "{testid}: {reason}");
    }
    let refused = host
        .query_selector("[data-testid=actions-refused]")
        .unwrap()
        .expect("the reasons of the roles are listed")
        .text_content()
        .unwrap();
    assert!(refused.starts_with("Not with your roles:"), "{refused}");

    // Their roles change (a Creator now): Delete (it never ran) and
    // Configure are offered, and no reason of the roles is left.
    acting.set(Principal {
        name: "rex".into(),
        roles: vec![Role::Creator],
        teams: vec!["payments".into()],
    });
    tick().await;
    assert!(!button("action-configure").disabled());
    assert!(!button("action-delete").disabled());
    assert!(host
        .query_selector("[data-testid=actions-refused]")
        .unwrap()
        .is_none());
}

/// Issue 18: a path pattern the core refuses says why, inline, and is not
/// added; a tag rule is added through `on_change`; typed text lives in the
/// form's signals (kept by the page).
#[wasm_bindgen_test]
async fn scope_rules_check_a_pattern_inline_and_add_a_tag_rule() {
    use prescan::components::scope_values::{ScopeForm, ScopeRules};
    use prescan_core::{Scope, ScopeDecision, Selector};
    let form = ScopeForm::new();
    let changed = RwSignal::new(None::<Scope>);
    let on_change = Callback::new(move |scope: Scope| changed.set(Some(scope)));
    let host = mount(move || {
        view! {
            <ScopeRules scope=Scope::default() tags=vec!["store".to_owned()] methods=vec!["GET"]
                form=form on_change=on_change busy=Signal::derive(|| false) />
        }
    });
    let submit = |host: &HtmlElement| {
        host.query_selector("[data-testid=scope-add]")
            .unwrap()
            .unwrap()
            .unchecked_into::<HtmlElement>()
            .click();
    };
    form.by.set("path".into());
    form.text.set("admin/**".into());
    tick().await;
    let error = host
        .query_selector("[data-testid=scope-rule-error]")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert!(error.contains("does not start with /"), "{error}");
    assert!(error.contains("Not added until it is fixed"), "{error}");
    submit(&host);
    tick().await;
    assert_eq!(changed.get_untracked(), None, "refused: not added");
    form.by.set("tag".into());
    form.text.set("store".into());
    tick().await;
    submit(&host);
    tick().await;
    let scope = changed.get_untracked().expect("the rule is added");
    assert_eq!(scope.rules.len(), 1);
    assert_eq!(scope.rules[0].selector, Selector::Tag("store".into()));
    assert_eq!(scope.rules[0].decision, ScopeDecision::Exclude);
    assert_eq!(
        form.text.get_untracked(),
        "",
        "the form is cleared once added"
    );
}
