//! Says when the saved analyses could not be read or cannot be saved, with
//! what the person can do: download what was saved, or start fresh.

use leptos::prelude::*;

use crate::components::icon::{Icon, IconKind};
use crate::download;
use crate::store::{frame_store, Storage};

/// A banner for storage problems; nothing when storage works.
#[component]
pub fn StorageBanner() -> impl IntoView {
    let app = frame_store();
    let problem = RwSignal::new(None::<String>);
    move || match app.storage.get() {
        Storage::Loading | Storage::Ready => None,
        Storage::Unavailable(message) => Some(
            view! {
                <div class="alert alert--warning" role="status" data-testid="storage-unavailable">
                    <p><Icon kind=IconKind::Warning />{message}</p>
                </div>
            }
            .into_any(),
        ),
        Storage::Unreadable { message, saved } => {
            let keep = saved.clone();
            let save_copy = move |_| {
                if let Some(blob) = download::text_blob(&keep, "application/json") {
                    let _ = download::save(&blob, "prescan-analyses-unreadable.json");
                }
            };
            let start_fresh = move |_| {
                leptos::task::spawn_local(async move {
                    problem.set(crate::pages::start_fresh(app).await.err());
                });
            };
            Some(
                view! {
                    <div class="alert alert--error" role="alert" data-testid="storage-unreadable">
                        <h2 class="alert__title"><Icon kind=IconKind::Error />"Your saved analyses could not be read"</h2>
                        <p data-testid="storage-unreadable-message">{message}</p>
                        <p>"Nothing has been changed or deleted. Download what was saved to keep it, then start fresh (or import an export)."</p>
                        <div class="downloads">
                            <button type="button" class="button button--secondary" data-testid="storage-download" prop:disabled=saved.is_empty() on:click=save_copy>
                                <Icon kind=IconKind::Download />"Download what was saved"
                            </button>
                            <button type="button" class="button" data-testid="storage-start-fresh" on:click=start_fresh>
                                "Start fresh"
                            </button>
                        </div>
                        {move || problem.get().map(|message| view! { <p data-testid="storage-start-fresh-error">{message}</p> })}
                    </div>
                }
                .into_any(),
            )
        }
    }
}
