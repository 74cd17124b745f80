//! 「接入检查」 for one merchant in the developer console: the button that
//! asks the sandbox server to send the probes to the merchant's notify URL
//! (never sent unasked), and the report — each probe, what a verifying
//! backend answers, what this one answered, and whether that was right.

use crate::sandbox_api;
use crate::store::use_store;
use leptos::prelude::*;
use qianbao_core::payapi::{CheckReport, Probe};

/// What the console knows of each merchant's checks, by 商户号: kept by
/// the merchants' list, which redraws its rows whenever the state changes.
#[derive(Clone, Copy)]
pub struct Checks {
    /// The last report (`Err`: the server did not run it).
    pub reports: RwSignal<std::collections::BTreeMap<String, Result<CheckReport, ()>>>,
    pub running: RwSignal<std::collections::BTreeSet<String>>,
}

impl Default for Checks {
    fn default() -> Checks {
        Checks {
            reports: RwSignal::new(Default::default()),
            running: RwSignal::new(Default::default()),
        }
    }
}

#[component]
pub fn Check(mchid: String, checks: Checks) -> impl IntoView {
    let store = use_store();
    let tw = move || store.dev_text();
    let key = mchid.clone();
    let running = move || checks.running.with(|r| r.contains(&key));
    let key = mchid.clone();
    let report = move || checks.reports.with(|r| r.get(&key).cloned());
    let failed = {
        let report = report.clone();
        move || matches!(report(), Some(Err(())))
    };
    let report = move || report().and_then(Result::ok);
    let run = move |_| {
        let mchid = mchid.clone();
        checks.running.update(|r| {
            r.insert(mchid.clone());
        });
        store.spawn(async move {
            let done = sandbox_api::check(&mchid).await;
            checks.reports.update(|r| {
                r.insert(mchid.clone(), done);
            });
            checks.running.update(|r| {
                r.remove(&mchid);
            });
        });
    };
    let probe_name = move |probe: Probe| {
        let t = tw();
        match probe {
            Probe::Valid => t.dev_probe_valid,
            Probe::Duplicate => t.dev_probe_duplicate,
            Probe::Signtest => t.dev_probe_signtest,
            Probe::Forged => t.dev_probe_forged,
            Probe::Stale => t.dev_probe_stale,
            Probe::UnknownSerial => t.dev_probe_unknown_serial,
            Probe::Tampered => t.dev_probe_tampered,
        }
    };
    view! {
        <div class="check">
            <button type="button" class="button" disabled=running.clone() on:click=run>
                {let running = running.clone(); move || if running() { tw().dev_check_running } else { tw().dev_check }}
            </button>
            {move || failed().then(|| view! { <p class="error" role="alert">{tw().dev_check_failed}</p> })}
            {move || report().map(|r| {
                let passed = r.passed();
                view! {
                    <p role="status" data-testid="check-verdict" data-passed=passed.to_string()>
                        {move || (tw().dev_check_verdict)(passed, &r.url)}
                    </p>
                    <table class="check-report" data-testid="check-report">
                        <thead><tr>
                            <th>{move || tw().dev_check_probe}</th>
                            <th>{move || tw().dev_check_expected}</th>
                            <th>{move || tw().dev_check_answered}</th>
                            <th></th>
                        </tr></thead>
                        <tbody>
                            {r.probes.into_iter().map(|p| {
                                let probe = p.probe;
                                let status = p.status.map_or_else(|| "—".to_owned(), |s| s.to_string());
                                view! {
                                    <tr data-probe=probe.id() data-passed=p.passed.to_string()>
                                        <td>{move || probe_name(probe)}</td>
                                        <td>{move || if probe.should_acknowledge() { tw().dev_check_ack } else { tw().dev_check_refuse }}</td>
                                        <td><code>{status}</code></td>
                                        <td>{if p.passed { "✓" } else { "✗" }}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }
            })}
        </div>
    }
}
