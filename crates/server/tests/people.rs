//! People (issue 16): users with roles and teams, over every route of the
//! contract, table-driven: what each may see (lists, counts, ids: an id
//! they may not see is the same 404 as one that does not exist), what each
//! may do (a 403 naming the roles that may), and whose notifications each
//! reads.

mod common;

use common::{config, eventually, new_analysis, spec, start_with, Api, Resp};
use prescan_server::admin;
use serde_json::{json, Value};

struct People {
    lead: Api,
    ann: Api,
    sam: Api,
    rex: Api,
    wes: Api,
    nora: Api,
}

fn add(server: &prescan_server::Server, name: &str, roles: &[&str], teams: &[&str]) -> Api {
    let db = &server.state.db;
    let out = admin::add_user(
        db,
        name,
        &roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        None,
        &teams.iter().map(|t| t.to_string()).collect::<Vec<_>>(),
        None,
        prescan_server::now_ms(),
    )
    .unwrap();
    Api::new(format!("http://{}", server.addr), Some(out.stdout.trim()))
}

fn people(server: &prescan_server::Server) -> People {
    let db = &server.state.db;
    admin::add_team(db, "payments", Some("Payments"), 1).unwrap();
    admin::add_team(db, "web", Some("Web"), 1).unwrap();
    People {
        lead: add(server, "Lee Lead", &["security-lead"], &[]),
        ann: add(server, "Ann Creator", &["creator"], &["payments"]),
        sam: add(server, "Sam Submitter", &["submitter"], &["payments"]),
        rex: add(server, "Rex Reviewer", &["reviewer"], &["payments"]),
        wes: add(server, "Wes Creator", &["creator"], &["web"]),
        nora: add(server, "Nora Reviewer", &["reviewer"], &[]),
    }
}

fn shared(teams: &[&str]) -> Value {
    json!({ "setup_type": "SEC_LEADS_AND_TEAM", "team_identifiers": teams })
}

async fn upload(api: &Api, name: &str, teams: &[&str]) -> Resp {
    let query: String = teams.iter().map(|t| format!("&team={t}")).collect();
    api.send(
        api.client
            .post(api.url(&format!("/api/v1/specifications?file_name={name}{query}")))
            .header("content-type", "application/json")
            .body(spec("https://api.example.com")),
    )
    .await
}

fn created(r: Resp) -> Value {
    assert!(
        r.status == 201 || r.status == 200,
        "{}: {}",
        r.status,
        String::from_utf8_lossy(&r.bytes)
    );
    r.json()
}

fn analysis(name: &str, spec_id: u64, visibility: Option<Value>) -> Value {
    let mut body = new_analysis(name, spec_id, json!({ "type": "unscheduled" }));
    if let Some(v) = visibility {
        body["visibility"] = v;
    }
    body
}

/// The 404 problem of a thing the caller may not see, with its id made
/// `0`, so that it can be compared with the 404 of an id that does not
/// exist.
fn without_id(p: &Value, id: u64) -> String {
    fn walk(v: &Value, id: u64) -> Value {
        match v {
            Value::Number(n) if n.as_u64() == Some(id) => json!(0),
            Value::String(text) => {
                // The id as a whole number inside a sentence.
                let mut out = String::new();
                let mut digits = String::new();
                for c in text.chars().chain(std::iter::once(' ')) {
                    if c.is_ascii_digit() {
                        digits.push(c);
                        continue;
                    }
                    if !digits.is_empty() {
                        out.push_str(if digits == id.to_string() {
                            "0"
                        } else {
                            &digits
                        });
                        digits.clear();
                    }
                    out.push(c);
                }
                out.pop();
                Value::String(out)
            }
            Value::Object(m) => m.iter().map(|(k, v)| (k.clone(), walk(v, id))).collect(),
            other => other.clone(),
        }
    }
    walk(p, id).to_string()
}

#[tokio::test]
async fn every_route_shows_and_allows_only_what_each_person_may() {
    let dir = tempfile::tempdir().unwrap();
    let (server, anon) = start_with(config(dir.path())).await;
    let p = people(&server);
    // With users, every call needs a token.
    anon.get("/api/v1/analyses").await.problem(401);

    // Ann (Creator, payments): a specification and an analysis shared with
    // payments, and a private one of each.
    let spec_shared = created(upload(&p.ann, "shared.json", &["payments"]).await)["spec_id"]
        .as_u64()
        .unwrap();
    let spec_private = created(upload(&p.ann, "private.json", &[]).await)["spec_id"]
        .as_u64()
        .unwrap();
    let a_shared = created(
        p.ann
            .post(
                "/api/v1/analyses",
                &analysis(
                    "Payments API scan",
                    spec_shared,
                    Some(shared(&["payments"])),
                ),
            )
            .await,
    );
    assert_eq!(a_shared["visibility"], shared(&["payments"]));
    assert_eq!(a_shared["schedule_owner"], "Ann Creator");
    let shared_id = a_shared["analysis_id"].as_u64().unwrap();
    let scan_id = a_shared["scans"][0]["scan_id"].as_u64().unwrap();
    let private_id = created(
        p.ann
            .post(
                "/api/v1/analyses",
                &analysis("Ann private scan", spec_private, None),
            )
            .await,
    )["analysis_id"]
        .as_u64()
        .unwrap();
    // Wes (web) cannot name a specification he may not see: unknown, as if
    // it did not exist.
    let r = p
        .wes
        .post(
            "/api/v1/analyses",
            &analysis("Web storefront scan", spec_shared, Some(shared(&["web"]))),
        )
        .await;
    assert_eq!(r.problem(422)["errors"][0]["field"], "scans");

    // Lists and counts: only what each may see.
    let listed = |r: Resp| -> (Vec<String>, u64) {
        let v = r.json();
        (
            v["analyses"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["name"].as_str().unwrap().to_owned())
                .collect(),
            v["page"]["total_elements"].as_u64().unwrap(),
        )
    };
    for (who, api, names) in [
        (
            "lead",
            &p.lead,
            vec!["Ann private scan", "Payments API scan"],
        ),
        ("ann", &p.ann, vec!["Ann private scan", "Payments API scan"]),
        ("sam", &p.sam, vec!["Payments API scan"]),
        ("rex", &p.rex, vec!["Payments API scan"]),
        ("wes", &p.wes, vec![]),
        ("nora", &p.nora, vec![]),
    ] {
        let (got, total) = listed(api.get("/api/v1/analyses?sort=name").await);
        assert_eq!(got, names, "{who}");
        assert_eq!(total as usize, names.len(), "{who}: the count");
        // A search finds nothing they may not see either.
        let (found, total) = listed(api.get("/api/v1/analyses?name=private").await);
        let expect = names.iter().filter(|n| n.contains("private")).count();
        assert_eq!((found.len(), total as usize), (expect, expect), "{who}");
    }
    let specs = |r: Resp| -> Vec<u64> {
        r.json()["specifications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["spec_id"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(
        specs(p.lead.get("/api/v1/specifications").await),
        vec![spec_private, spec_shared]
    );
    assert_eq!(
        specs(p.rex.get("/api/v1/specifications").await),
        vec![spec_shared]
    );
    assert!(specs(p.wes.get("/api/v1/specifications").await).is_empty());

    // Every route, every person: the status each gets. `N` is the 404 of
    // a thing they may not see, which must read like a missing id's.
    let a = |id: u64, rest: &str| format!("/api/v1/analyses/{id}{rest}");
    let s = |id: u64, rest: &str| format!("/api/v1/specifications/{id}{rest}");
    let scan = |rest: &str| format!("/api/v1/scans/{scan_id}/prescan{rest}");
    #[derive(Clone, Copy)]
    enum M {
        Get,
        Post,
        Patch,
        Delete,
    }
    let table: Vec<(M, String, Value, [u16; 6])> = vec![
        //                                           lead ann  sam  rex  wes  nora
        (
            M::Get,
            a(shared_id, ""),
            json!(null),
            [200, 200, 200, 200, 404, 404],
        ),
        (
            M::Get,
            a(private_id, ""),
            json!(null),
            [200, 200, 404, 404, 404, 404],
        ),
        (
            M::Get,
            a(shared_id, "/audits"),
            json!(null),
            [200, 200, 200, 200, 404, 404],
        ),
        (
            M::Get,
            a(private_id, "/audits"),
            json!(null),
            [200, 200, 404, 404, 404, 404],
        ),
        (
            M::Patch,
            a(private_id, ""),
            json!({"prescan": false}),
            [200, 200, 404, 404, 404, 404],
        ),
        (
            M::Patch,
            a(shared_id, ""),
            json!({"prescan": false}),
            [200, 200, 200, 403, 404, 404],
        ),
        // A run action: the role first (403), then the lifecycle (409:
        // nothing runs, so there is nothing to stop).
        (
            M::Post,
            a(shared_id, "/actions"),
            json!({"action": "STOP_SAVE"}),
            [409, 409, 409, 403, 404, 404],
        ),
        // Deleting what they may not see: not found (deleting for real is
        // below, once).
        (
            M::Delete,
            a(private_id, ""),
            json!(null),
            [0, 0, 404, 404, 404, 404],
        ),
        (
            M::Get,
            s(spec_shared, ""),
            json!(null),
            [200, 200, 200, 200, 404, 404],
        ),
        (
            M::Get,
            s(spec_private, ""),
            json!(null),
            [200, 200, 404, 404, 404, 404],
        ),
        (
            M::Get,
            s(spec_private, "/original"),
            json!(null),
            [200, 200, 404, 404, 404, 404],
        ),
        (
            M::Get,
            s(spec_private, "/har"),
            json!(null),
            [200, 200, 404, 404, 404, 404],
        ),
        // Used by an analysis: its visibility stays (409); not seen: 404.
        (
            M::Patch,
            s(spec_shared, ""),
            json!({"visibility": shared(&["payments"])}),
            [409, 409, 409, 403, 404, 404],
        ),
        (
            M::Get,
            scan(""),
            json!(null),
            [404, 404, 404, 404, 404, 404],
        ),
        (
            M::Post,
            scan(""),
            json!({"requests_per_second": 0}),
            [422, 422, 422, 403, 404, 404],
        ),
        (
            M::Post,
            scan("/cancel"),
            json!(null),
            [409, 409, 409, 403, 404, 404],
        ),
        (
            M::Get,
            scan("/har"),
            json!(null),
            [404, 404, 404, 404, 404, 404],
        ),
    ];
    let who = ["lead", "ann", "sam", "rex", "wes", "nora"];
    let apis = [&p.lead, &p.ann, &p.sam, &p.rex, &p.wes, &p.nora];
    let missing_analysis = p.lead.get(&a(999_999, "")).await.json();
    let missing_spec = p.lead.get(&s(999_999, "")).await.json();
    let missing_scan = p.lead.get("/api/v1/scans/999999/prescan").await.json();
    // A scan of an analysis Wes may not see reads like a missing scan (the
    // others are told it has no prescan yet).
    assert_eq!(
        without_id(&p.wes.get(&scan("")).await.json(), scan_id),
        without_id(&missing_scan, 999_999)
    );
    for (method, path, body, expected) in &table {
        for i in 0..apis.len() {
            if expected[i] == 0 {
                continue;
            }
            let api = apis[i];
            let r = match method {
                M::Get => api.get(path).await,
                M::Post if body.is_null() => api.post_empty(path).await,
                M::Post => api.post(path, body).await,
                M::Patch => api.patch(path, body).await,
                M::Delete => api.delete(path).await,
            };
            assert_eq!(
                r.status,
                expected[i],
                "{} {path}: {}",
                who[i],
                String::from_utf8_lossy(&r.bytes)
            );
            if r.status == 403 {
                let problem = r.problem(403);
                assert!(problem["type"].as_str().unwrap().ends_with("forbidden"));
                let detail = problem["detail"].as_str().unwrap();
                assert!(
                    detail.starts_with("To ") && detail.contains("you need"),
                    "{detail}"
                );
            }
            // A thing they may not see: exactly the 404 of a missing id.
            let unseen = r.status == 404 && expected[0] != 404 && expected[1] != 404;
            let unseen = unseen || (r.status == 404 && expected[0] == 0);
            if unseen {
                let problem = r.problem(404);
                let (id, missing) = if path.contains("/scans/") {
                    (scan_id, &missing_scan)
                } else if path.contains("/specifications/") {
                    (
                        if path.contains(&format!("/{spec_private}")) {
                            spec_private
                        } else {
                            spec_shared
                        },
                        &missing_spec,
                    )
                } else if path.contains(&format!("/{private_id}")) {
                    (private_id, &missing_analysis)
                } else {
                    (shared_id, &missing_analysis)
                };
                assert_eq!(
                    without_id(&problem, id),
                    without_id(missing, 999_999),
                    "{} {path}",
                    who[i]
                );
            }
        }
    }

    // What a role may not view is left out, and said.
    let sam_view = p.sam.get(&a(shared_id, "")).await.json();
    assert_eq!(sam_view["withheld"], json!(["RESULTS"]));
    let rex_view = p.rex.get(&a(shared_id, "")).await.json();
    assert_eq!(rex_view["withheld"], json!(["CONFIGURATION"]));
    assert_eq!(
        p.ann.get(&a(shared_id, "")).await.json().get("withheld"),
        None
    );

    // Creating: the roles, then the teams one may share with.
    let new = |name: &str, vis: Option<Value>| analysis(name, spec_shared, vis);
    let r = p
        .rex
        .post("/api/v1/analyses", &new("Rex tries a scan", None))
        .await;
    assert!(r.problem(403)["detail"]
        .as_str()
        .unwrap()
        .contains("Security Lead, Creator or Submitter"));
    let r = p
        .sam
        .post(
            "/api/v1/analyses",
            &new("Sam shares with web", Some(shared(&["web"]))),
        )
        .await;
    let problem = r.problem(422);
    assert_eq!(problem["errors"][0]["field"], "visibility");
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("yours are payments"));
    let r = p
        .lead
        .post(
            "/api/v1/analyses",
            &new("Lead shares nowhere", Some(shared(&["nowhere"]))),
        )
        .await;
    assert!(r.problem(422)["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("No team has the identifier nowhere"));
    upload(&p.rex, "rex.json", &[]).await.problem(403);
    upload(&p.wes, "wes.json", &["payments"]).await.problem(422);
    // The same file uploaded by someone who may not see the first copy
    // is stored again, as theirs.
    let wes_copy = created(upload(&p.wes, "private.json", &[]).await);
    assert_ne!(wes_copy["spec_id"].as_u64().unwrap(), spec_private);
    assert_eq!(wes_copy["uploaded_by_user"], "Wes Creator");
    // A lead shares it with web too: Wes now sees it. Sam (payments only)
    // may leave web in it, but not add a team of his own choosing.
    let both = json!({ "visibility": shared(&["payments", "web"]) });
    assert_eq!(p.lead.patch(&a(shared_id, ""), &both).await.status, 200);
    assert_eq!(p.wes.get(&a(shared_id, "")).await.status, 200);
    assert_eq!(p.sam.patch(&a(shared_id, ""), &both).await.status, 200);
    let r = p
        .sam
        .patch(
            &a(shared_id, ""),
            &json!({ "visibility": shared(&["web", "st"]) }),
        )
        .await;
    assert_eq!(r.problem(422)["errors"][0]["field"], "visibility");
    let log = p.lead.get(&a(shared_id, "/audits")).await.json();
    assert!(
        log.to_string()
            .contains("security leads and the teams payments, web"),
        "{log}"
    );

    // Deleting: Submitters and Reviewers may not; a Creator may.
    assert_eq!(
        p.sam.delete(&a(shared_id, "")).await.problem(403)["detail"],
        "To delete an analysis, you need one of the Security Lead or Creator roles."
    );
    assert_eq!(p.ann.delete(&a(private_id, "")).await.status, 204);

    // A specification no analysis uses (any more): its visibility changes.
    let changed = p
        .ann
        .patch(
            &s(spec_private, ""),
            &json!({"visibility": shared(&["payments"])}),
        )
        .await;
    assert_eq!(
        changed.status,
        200,
        "{}",
        String::from_utf8_lossy(&changed.bytes)
    );
    assert_eq!(p.rex.get(&s(spec_private, "")).await.status, 200);

    // Who am I.
    let me = p.rex.get("/api/v1/me").await.json();
    assert_eq!(
        me,
        json!({
            "user_display_name": "Rex Reviewer",
            "roles": ["REVIEWER"],
            "teams": [{"team_identifier": "payments", "team_name": "Payments"}],
            "shareable_teams": [{"team_identifier": "payments", "team_name": "Payments"}]
        })
    );
    let me = p.lead.get("/api/v1/me").await.json();
    assert_eq!(me["shareable_teams"].as_array().unwrap().len(), 2);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn notifications_reach_their_own_person_and_the_schedule_owner_moves() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = start_with(config(dir.path())).await;
    let p = people(&server);
    let spec_id = created(upload(&p.sam, "tiny.json", &["payments"]).await)["spec_id"]
        .as_u64()
        .unwrap();
    // Ann creates it, saved for later; Sam (another person) runs it: the
    // schedule owner becomes Sam, who gets its prescan notification.
    let a = created(
        p.ann
            .post(
                "/api/v1/analyses",
                &analysis("Owner moves scan", spec_id, Some(shared(&["payments"]))),
            )
            .await,
    );
    let id = a["analysis_id"].as_u64().unwrap();
    let a = p
        .sam
        .patch(
            &format!("/api/v1/analyses/{id}"),
            &json!({ "schedule": { "start": { "type": "now" }, "duration": { "unit": "hours", "value": 2 } } }),
        )
        .await
        .json();
    assert_eq!(a["schedule_owner"], "Sam Submitter", "{a}");
    let kinds = |api: &Api| {
        let api = Api::new(api.base.clone(), api.token.as_deref());
        async move {
            let l = api.get("/api/v1/notifications").await.json();
            let kinds: Vec<String> = l["notifications"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["kind"].as_str().unwrap().to_owned())
                .collect();
            (kinds, l["latest_notification_id"].as_u64().unwrap())
        }
    };
    // The run is published: the leads are told; the prescan went to Sam.
    let lead_kinds = eventually(40, || async {
        let (k, _) = kinds(&p.lead).await;
        k.iter().any(|k| k == "RESULTS_PUBLISHED").then_some(k)
    })
    .await;
    assert_eq!(
        lead_kinds,
        vec!["RESULTS_PUBLISHED"],
        "the lead: results only"
    );
    let (sam_kinds, _) = kinds(&p.sam).await;
    assert!(
        sam_kinds.iter().all(|k| k.starts_with("PRESCAN_")) && !sam_kinds.is_empty(),
        "{sam_kinds:?}"
    );
    // Ann created it but did not set its schedule; Rex sees it but owns
    // nothing; Wes does not even see it: none of them is told, and their
    // latest id says nothing of the others'.
    for api in [&p.ann, &p.rex, &p.wes] {
        assert_eq!(kinds(api).await, (vec![], 0));
    }
    // A user disabled later: their token stops working, the log keeps
    // their name.
    admin::set_enabled(
        &server.state.db,
        "Sam Submitter",
        false,
        prescan_server::now_ms(),
    )
    .unwrap();
    p.sam.get("/api/v1/me").await.problem(401);
    let audits = p
        .lead
        .get(&format!("/api/v1/analyses/{id}/audits"))
        .await
        .json();
    assert!(
        audits["audits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["user_display_name"] == "Sam Submitter"),
        "{audits}"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn users_added_while_the_server_runs_count_at_once_and_tokens_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path());
    c.token = Some("operator-token-0123456789".into());
    let (server, operator) = start_with(c).await;
    // The --token keeps working, as a security lead, beside users.
    assert_eq!(
        operator.get("/api/v1/me").await.json()["roles"][0],
        "SECURITY_LEAD"
    );
    let ann = add(&server, "Ann", &["creator"], &[]);
    assert_eq!(
        ann.get("/api/v1/me").await.json()["user_display_name"],
        "Ann"
    );
    // A rotated token stops at once; a wrong one is a 401.
    let new = admin::rotate(&server.state.db, "Ann", None).unwrap().stdout;
    ann.get("/api/v1/me").await.problem(401);
    let ann = Api::new(ann.base.clone(), Some(new.trim()));
    assert_eq!(ann.get("/api/v1/me").await.status, 200);
    server.stop().await.unwrap();

    // A server started without tokens needs one as soon as a user exists.
    let dir = tempfile::tempdir().unwrap();
    let (server, anon) = start_with(config(dir.path())).await;
    assert_eq!(anon.get("/api/v1/analyses").await.status, 200);
    let ann = add(&server, "Ann", &["creator"], &[]);
    let closed = eventually(5, || async {
        (anon.get("/api/v1/analyses").await.status == 401).then_some(())
    })
    .await;
    let () = closed;
    assert_eq!(ann.get("/api/v1/analyses").await.status, 200);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn budgets_teams_names_and_tokens_beyond_their_limits_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = start_with(config(dir.path())).await;
    let lead = add(&server, "Lee", &["security-lead"], &[]);
    let spec_id = created(upload(&lead, "tiny.json", &[]).await)["spec_id"]
        .as_u64()
        .unwrap();
    // At most 64 teams in a visibility, in a body or in an upload's query.
    let many: Vec<String> = (0..65).map(|i| format!("t{i}")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let r = lead
        .post(
            "/api/v1/analyses",
            &analysis("Too widely shared", spec_id, Some(shared(&refs))),
        )
        .await;
    assert!(r.problem(422)["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("at most 64 teams"));
    upload(&lead, "wide.json", &refs).await.problem(400);
    let r = upload(&lead, "bad.json", &["Not An Id"]).await;
    assert_eq!(r.problem(400)["errors"][0]["field"], "team");
    // A token far beyond 256 characters is refused without a lookup.
    let huge = Api::new(lead.base.clone(), Some(&"x".repeat(10_000)));
    huge.get("/api/v1/me").await.problem(401);
    // Names and e-mail addresses that could break a log line or a mail
    // header are refused by the command.
    for bad in ["", " padded", "line\nbreak", &"n".repeat(65)] {
        assert!(admin::add_user(
            &server.state.db,
            bad,
            &["creator".into()],
            None,
            &[],
            None,
            1
        )
        .is_err());
    }
    assert!(admin::add_user(
        &server.state.db,
        "Eve",
        &["creator".into()],
        Some("eve@example.com\r\nBcc: all@example.com"),
        &[],
        None,
        1
    )
    .is_err());
    server.stop().await.unwrap();
}
