//! The scans of an analysis: a row each with its status and endpoints, and
//! its downloads (the original specification, its HAR) and Prescan Details.

use leptos::prelude::*;
use leptos::task::spawn_local;
use prescan_core::analysis::{Scan, ScanTarget, SpecScan};
use prescan_core::ConvertOptions;

use super::summary::Page;
use crate::components::icon::{Icon, IconKind};
use crate::components::status_badge::StatusBadge;
use crate::components::table_scroll::TableScroll;
use crate::convert;
use crate::download;
use crate::format::{har_file_name, thousands};
use crate::route::Route;

/// The options a scan's HAR is converted with: its chosen server (one of
/// the specification's, or a base URL typed for it) and its credentials.
pub fn options_for(spec: &SpecScan, scan: &Scan) -> ConvertOptions {
    let mut options = ConvertOptions {
        auth: scan.auth.clone(),
        scope: scan.scope.clone(),
        values: scan.values.clone(),
        ..ConvertOptions::default()
    };
    if let Some(server) = &spec.server {
        match spec.servers.iter().position(|s| s == server) {
            Some(i) => options.server = Some(i),
            None => options.base_url = Some(server.clone()),
        }
    }
    options
}

/// The last part of a path (`api/openapi.yaml` → `openapi.yaml`).
fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The Scans section: the table of the scans.
pub(super) fn panel(page: Page) -> impl IntoView {
    let Page {
        app,
        analysis,
        message,
        failure,
        failed_action,
        converting,
        ..
    } = page;
    let current = move || analysis.get();
    let save_original = move |spec: SpecScan| {
        failure.set(None);
        failed_action.set(None);
        let name = base_name(&spec.file_name).to_owned();
        spawn_local(async move {
            let saved = download::save_specification(app, spec.spec_id, &name).await;
            if let Err(m) = saved {
                failure.try_set(Some(format!("{name} could not be downloaded: {m}")));
            }
        });
    };
    let save_har = move |spec: SpecScan, scan: Scan| {
        failure.set(None);
        failed_action.set(None);
        let name = base_name(&spec.file_name).to_owned();
        let har_name = har_file_name(&name);
        converting.set(Some(name.clone()));
        spawn_local(async move {
            // A server converts on its side (with the scan's credentials).
            if let Some(http) = app.http() {
                let result = http
                    .specification_har(spec.spec_id, spec.server.as_deref())
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|b| download::save_bytes(&b, &har_name));
                converting.try_set(None);
                match result {
                    Ok(()) => {
                        message.try_set(format!(
                            "Converted {name} on the server: {har_name} downloaded."
                        ));
                    }
                    Err(m) => {
                        failure.try_set(Some(format!("{har_name} could not be made: {m}")));
                    }
                }
                return;
            }
            let files = match app.specification_files(spec.spec_id).await {
                Ok(files) => files,
                Err(e) => {
                    converting.try_set(None);
                    failure.try_set(Some(format!("{har_name} could not be made: {e}")));
                    return;
                }
            };
            let options = options_for(&spec, &scan);
            let result = convert::convert(convert::file_bytes(files), &options).await;
            converting.try_set(None);
            let saved = result
                .map_err(|f| f.message)
                .and_then(|c| download::save(&c.entries.file, &har_name));
            match saved {
                Ok(()) => {
                    message.try_set(format!("Converted {name}: {har_name} downloaded."));
                }
                Err(m) => {
                    failure.try_set(Some(format!("{har_name} could not be made: {m}")));
                }
            }
        });
    };

    let scans = move || {
        current().map(|a| {
            // A scan's status is the simulated engine's when the analysis's is.
            let simulated = a.status_is_simulated();
            let rows = a
                .scans
                .iter()
                .map(|scan| {
                    let (endpoints, downloads) = match &scan.target {
                        ScanTarget::ApiSpecification(spec) => {
                            let (for_original, for_har, scan_for_har) =
                                (spec.clone(), spec.clone(), scan.clone());
                            let file = base_name(&spec.file_name).to_owned();
                            (
                                thousands(spec.endpoint_count),
                                view! {
                                    <button type="button" class="button button--link" data-testid="download-scan-spec"
                                        aria-label=format!("Download original {file}")
                                        on:click=move |_| save_original(for_original.clone())>
                                        <Icon kind=IconKind::Download />"Original"
                                    </button>
                                    " "
                                    <button type="button" class="button button--link" data-testid="download-scan-har"
                                        aria-label=format!("Download HAR of {file}")
                                        disabled=move || converting.get().is_some()
                                        on:click=move |_| save_har(for_har.clone(), scan_for_har.clone())>
                                        <Icon kind=IconKind::Download />"HAR"
                                    </button>
                                    " "
                                    <a class="button button--link" data-testid="view-prescan"
                                        href=Route::Prescan { analysis: a.id.0.to_string(), scan: scan.id.0.to_string() }.to_hash()
                                        aria-label=format!("View Prescan Details of {file}")>
                                        "View Prescan Details"
                                    </a>
                                }
                                .into_any(),
                            )
                        }
                        ScanTarget::Url(_) => ("—".to_owned(), view! { <span class="muted">"—"</span> }.into_any()),
                    };
                    view! {
                        <tr data-testid="scan-row">
                            <th scope="row" data-testid="scan-name"><span class="break">{scan.name().to_owned()}</span></th>
                            <td data-testid="scan-kind">{scan.target.kind_label()}</td>
                            <td data-testid="scan-status"><StatusBadge badge=scan.badge() simulated=simulated /></td>
                            <td class="num" data-testid="scan-endpoints">{endpoints}</td>
                            <td class="downloads-cell">{downloads}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <TableScroll label="Scans">
                    <table class="table" data-testid="scans-table">
                        <caption class="visually-hidden">"Scans of this analysis"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Scan"</th>
                                <th scope="col">"Kind"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col" class="num">"Endpoints"</th>
                                <th scope="col">"Downloads"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </TableScroll>
            }
        })
    };

    view! {
        <section class="panel" aria-labelledby="scans-heading">
            <h2 id="scans-heading">"Scans"</h2>
            {scans}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prescan_core::analysis::{ScanId, ScanStatus, SpecId};
    use prescan_core::SpecFormat;

    fn spec(server: Option<&str>) -> SpecScan {
        SpecScan {
            spec_id: SpecId(1),
            file_name: "api/petstore.yaml".into(),
            format: SpecFormat::OpenApi30,
            endpoint_count: 5,
            servers: vec![
                "https://a.example.com".into(),
                "https://b.example.com".into(),
            ],
            server: server.map(str::to_owned),
        }
    }

    fn scan(spec: &SpecScan) -> Scan {
        Scan {
            id: ScanId(2),
            target: ScanTarget::ApiSpecification(spec.clone()),
            status: ScanStatus::NotRun,
            auth: Default::default(),
            scope: Default::default(),
            values: Default::default(),
        }
    }

    #[test]
    fn a_scan_converts_with_its_server() {
        let s = spec(None);
        let o = options_for(&s, &scan(&s));
        assert_eq!((o.server, o.base_url), (None, None));
        let s = spec(Some("https://b.example.com"));
        assert_eq!(options_for(&s, &scan(&s)).server, Some(1));
        let s = spec(Some("https://other.example.com/v2"));
        assert_eq!(
            options_for(&s, &scan(&s)).base_url.as_deref(),
            Some("https://other.example.com/v2")
        );
        assert_eq!(base_name(&s.file_name), "petstore.yaml");
    }
}
