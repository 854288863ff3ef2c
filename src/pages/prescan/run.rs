//! Starting and cancelling a prescan: in the browser (the specification is
//! converted with what was typed, then the driver sends the requests) or on
//! the server.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::api::PrescanRequest;
use prescan_core::har::Har;
use prescan_core::prescan::{PrescanPlan, PrescanRun, PrescanSettings};
use prescan_core::{ConvertOptions, ScanAuth};
use wasm_bindgen_futures::JsFuture;

use super::details::Page;
use super::driver::{publish, pump, stop, Runner};
use super::form::{
    browser_user_agent_note, check_base_url, complete_oauth, parse_headers, parse_rate,
    parse_user_agent, Form,
};
use super::server::{follow_server_prescan, show_server_prescan};
use crate::convert;
use crate::store::http::HttpStore;

/// What the Run button does: checks the form, then starts the prescan (on
/// the server when there is one).
pub(super) fn run(
    page: Page,
    server: Option<Rc<HttpStore>>,
) -> impl Fn(leptos::ev::SubmitEvent) + 'static {
    let Page {
        app,
        ui,
        on_server,
        form:
            Form {
                base_url,
                rate,
                allow_unsafe,
                bearer,
                basic_user,
                basic_password,
                custom,
                api_keys,
                cookies,
                user_agent,
                oauth,
            },
        errors,
        failure,
        converting,
        poll_error,
        used,
        spec_id,
        har_blob,
        has_har,
        runner,
        scoping,
        coverage,
    } = page;
    let run_on_server = {
        let server = server.clone();
        move || {
            let Some(http) = server.clone() else {
                return;
            };
            let rps = parse_rate(&rate.get_untracked());
            let ua = parse_user_agent(&user_agent.get_untracked());
            let (rps, ua) = match (rps, ua) {
                (Ok(r), Ok(u)) => (r, u),
                (r, u) => {
                    errors.set(r.err().into_iter().chain(u.err()).collect());
                    return;
                }
            };
            errors.set(Vec::new());
            let request = PrescanRequest {
                allow_unsafe_methods: Some(allow_unsafe.get_untracked()),
                requests_per_second: Some(rps),
                user_agent: ua,
                ..PrescanRequest::default()
            };
            converting.set(true);
            let scan_id = ui.scan;
            spawn_local(async move {
                let started = http.start_prescan(scan_id, &request).await;
                converting.try_set(false);
                match started {
                    Ok(prescan) => {
                        poll_error.try_set(None);
                        show_server_prescan(ui, &prescan);
                        ui.running.try_set(true);
                        follow_server_prescan(ui, http, poll_error).await;
                    }
                    Err(e) => {
                        failure.try_set(Some(format!(
                            "The prescan could not be started on the server: {e}"
                        )));
                    }
                }
            });
        }
    };

    move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if ui.running.get_untracked() || converting.get_untracked() {
            return;
        }
        failure.set(None);
        if on_server {
            run_on_server();
            return;
        }
        let mut problems = Vec::new();
        let base = check_base_url(&base_url.get_untracked()).map_err(|e| problems.push(e));
        let rps = parse_rate(&rate.get_untracked()).map_err(|e| problems.push(e));
        let headers = parse_headers(&custom.get_untracked()).map_err(|e| problems.push(e));
        let ua = parse_user_agent(&user_agent.get_untracked())
            .map_err(|e| problems.push(e))
            .ok()
            .flatten();
        let (user, password) = (basic_user.get_untracked(), basic_password.get_untracked());
        if untrack(|| api_keys.invalid()) {
            problems
                .push("Enter the security scheme's name for each API key, or remove it.".into());
        }
        if untrack(|| cookies.invalid()) {
            problems.push("A custom cookie's name cannot be used: see the cookies below.".into());
        }
        if user.is_empty() != password.is_empty() {
            problems.push(
                "Enter both the user name and the password for basic authentication, or neither."
                    .into(),
            );
        }
        let oauth_form = oauth;
        let oauth = oauth_form.typed();
        if let Some(o) = &oauth {
            // The token URL may come from the specification: checked
            // again once it is converted.
            let mut checked = o.clone();
            if checked.token_url.is_empty() && checked.discovery_url.is_none() {
                checked.token_url = "https://token-url.invalid/".into();
            }
            if let Err(e) = checked.validate() {
                problems.extend(e.into_iter().map(|e| format!("OAuth 2.0: {e}")));
            }
        }
        errors.set(problems);
        let (Ok(base), Ok(rps), Ok(headers)) = (base, rps, headers) else {
            return;
        };
        if !errors.get_untracked().is_empty() {
            return;
        }
        let token = bearer.get_untracked();
        let auth = ScanAuth {
            custom_headers: headers,
            custom_cookies: untrack(|| cookies.pairs()),
            basic: (!user.is_empty()).then_some((user, password)),
            bearer: (!token.trim().is_empty()).then(|| token.trim().to_owned()),
            api_keys: untrack(|| api_keys.pairs())
                .into_iter()
                .filter(|(_, key)| !key.is_empty())
                .collect::<BTreeMap<_, _>>(),
            oauth,
            ..ScanAuth::default()
        };
        let (scope, values) = scoping.get_value();
        let scoped = !scope.is_empty();
        let options = ConvertOptions {
            base_url: Some(base.clone()),
            auth,
            scope,
            values,
            ..ConvertOptions::default()
        };
        let settings = PrescanSettings {
            base_url: Some(base.clone()),
            allow_unsafe_methods: allow_unsafe.get_untracked(),
            requests_per_second: Some(rps),
            ..PrescanSettings::default()
        };
        used.set(Some((base, rps, settings.allow_unsafe_methods)));
        converting.set(true);
        spawn_local(async move {
            let files = match app.specification_files(spec_id).await {
                Ok(files) => files,
                Err(e) => {
                    converting.try_set(false);
                    failure.try_set(Some(format!(
                        "The specification could not be read from this browser: {e}"
                    )));
                    return;
                }
            };
            let converted = convert::convert(convert::file_bytes(files), &options).await;
            let prepared = match converted {
                Ok(c) => {
                    let text = JsFuture::from(c.entries.file.text())
                        .await
                        .ok()
                        .and_then(|v| v.as_string())
                        .unwrap_or_default();
                    let covered = c.spec.coverage();
                    coverage.try_set(scoped.then(|| covered.sentence()));
                    serde_json::from_str::<Har>(&text)
                        .map(|har| {
                            // Planned from the endpoints a scanner sends
                            // requests to: excluded ones do not count.
                            let har = prescan_core::har::in_scope(&har, &c.spec);
                            (
                                har,
                                c.entries.file.clone(),
                                // Every endpoint when nothing is excluded.
                                covered.in_scope(),
                                c.spec.diagnostics,
                                covered,
                                c.spec.security_schemes,
                            )
                        })
                        .map_err(|e| format!("The converted HAR could not be read ({e})."))
                }
                Err(f) => Err(f.message),
            };
            converting.try_set(false);
            let (har, blob, total_endpoints, diagnostics, covered, schemes) = match prepared {
                Ok(p) => p,
                Err(m) => {
                    failure.try_set(Some(format!(
                        "The specification could not be converted: {m} Check the scan's specification, then run the prescan again."
                    )));
                    return;
                }
            };
            har_blob.try_set_value(Some(blob));
            has_har.try_set(true);
            // As `PrescanPlan::of_conversion` plans (the HAR is in scope
            // already): the notes about credentials, scope and values, and
            // what the prescan covers.
            let mut plan = PrescanPlan::new(&har, &settings).with_credential_notes(&diagnostics);
            plan.coverage = Some(covered);
            if let Some(ua) = &ua {
                plan.credential_notes.push(prescan_core::Diagnostic::new(
                    prescan_core::Severity::Information,
                    "",
                    browser_user_agent_note(ua),
                ));
            }
            let run = match options.auth.oauth.clone() {
                None => PrescanRun::new(plan),
                Some(o) => {
                    match complete_oauth(o, &schemes, settings.base_url.as_deref().unwrap_or("")) {
                        Ok(o) => {
                            // The specification's token URL, shown where it
                            // can be changed.
                            if oauth_form.token_url.get_untracked().trim().is_empty()
                                && oauth_form.discovery_url.get_untracked().trim().is_empty()
                            {
                                oauth_form.token_url.try_set(o.token_url.clone());
                                oauth_form
                                    .discovery_url
                                    .try_set(o.discovery_url.clone().unwrap_or_default());
                            }
                            PrescanRun::with_oauth(plan, o)
                        }
                        Err(e) => {
                            failure.try_set(Some(format!("OAuth 2.0: {}", e.join(" "))));
                            return;
                        }
                    }
                }
            };
            let shared = Rc::new(RefCell::new(Runner {
                run,
                auth: options.auth.clone(),
                total_endpoints,
                controllers: HashMap::new(),
                timer: None,
                done: false,
            }));
            if runner.try_set_value(Some(shared.clone())).is_some() {
                // The page is gone.
                return;
            }
            ui.running.try_set(true);
            publish(&shared, ui);
            pump(&shared, ui);
        });
    }
}

/// What the Cancel button does: asks the server to cancel, or stops sending.
pub(super) fn cancel(page: Page) -> impl Fn(leptos::ev::MouseEvent) + Copy + 'static {
    let Page {
        app,
        ui,
        on_server,
        failure,
        runner,
        ..
    } = page;
    move |_| {
        if let Some(http) = app.http().filter(|_| on_server) {
            let scan_id = ui.scan;
            spawn_local(async move {
                if let Err(e) = http.cancel_prescan(scan_id).await {
                    failure.try_set(Some(format!("The prescan could not be cancelled: {e}")));
                }
            });
            return;
        }
        runner.with_value(|r| {
            if let Some(shared) = r {
                stop(shared);
                pump(shared, ui);
            }
        });
    }
}
