//! The role matrix: for each mutation, a caller it allows and one it refuses, on the sample data.

use api::domain::policy::Role;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{Gql, TestApp};

/// The sample's ids that the matrix works on.
struct Sample {
    hy_ubnd: String,
    hy_stttt: String,
    hy_snv: String,
    cp: String,
    hn_stttt: String,
    kl57: String,
    kh139: String,
    nq47: String,
    hy_task: String,
    hn_task: String,
    cp_task: String,
}

impl TestApp {
    async fn id_of_agency(&self, code: &str) -> String {
        self.gql("query($c: String!) { agency(code: $c) { id } }", json!({ "c": code })).await.str("agency.id")
    }

    async fn id_of_document(&self, symbol: &str, issuer: &str) -> String {
        self.gql(
            "query($s: String!, $i: String!) { documents(filter: {symbol: $s, issuerCode: $i}) { nodes { id } } }",
            json!({ "s": symbol, "i": issuer }),
        )
        .await
        .str("documents.nodes.0.id")
    }

    /// A task of `document` on which `agency` currently presides or coordinates.
    async fn task_of(&self, document: &str, agency: &str) -> String {
        self.gql(
            "query($d: ID!, $a: String!) { tasks(filter: {documentId: $d, agencyCode: $a}, first: 1) { nodes { id } } }",
            json!({ "d": document, "a": agency }),
        )
        .await
        .str("tasks.nodes.0.id")
    }

    async fn version(&self, id: &str) -> i64 {
        self.gql(
            "query($id: ID!) { node(id: $id) { ... on Agency { version } ... on Document { version } ... on Task { version }
               ... on TaskGroup { version } ... on TaskAssignment { version } ... on ProgressReport { version } } }",
            json!({ "id": id }),
        )
        .await
        .i64("node.version")
    }

    async fn sample(&self) -> Sample {
        self.seed_sample().await;
        let kh139 = self.id_of_document("139/KH-UBND", "HY-UBND").await;
        let nq47 = self.id_of_document("47/NQ-CP", "CP").await;
        let kh48 = self.id_of_document("48/KH-UBND", "HN-UBND").await;
        Sample {
            hy_ubnd: self.id_of_agency("HY-UBND").await,
            hy_stttt: self.id_of_agency("HY-STTTT").await,
            hy_snv: self.id_of_agency("HY-SNV").await,
            cp: self.id_of_agency("CP").await,
            hn_stttt: self.id_of_agency("HN-STTTT").await,
            kl57: self.id_of_document("57-KL/TW", "BCT").await,
            hy_task: self.task_of(&kh139, "HY-STTTT").await,
            hn_task: self.task_of(&kh48, "HN-STTTT").await,
            cp_task: self
                .gql(
                    "query($d: ID!) { tasks(filter: {documentId: $d}, first: 1) { nodes { id } } }",
                    json!({ "d": nq47 }),
                )
                .await
                .str("tasks.nodes.0.id"),
            kh139,
            nq47,
        }
    }
}

/// Sends a mutation as `token` and checks the verdict: allowed (returns data) or FORBIDDEN.
async fn expect(app: &TestApp, case: &str, token: &str, query: &str, vars: Value, allowed: bool) -> Gql {
    let r = app.gql_as(token, query, vars).await;
    if allowed {
        assert!(r.0.get("errors").is_none(), "{case}: should be allowed: {:#}", r.0);
    } else {
        assert_eq!(r.error_code(), "FORBIDDEN", "{case}: should be refused: {:#}", r.0);
    }
    r
}

const CREATE_AGENCY: &str = "mutation($i: CreateAgencyInput!) { createAgency(input: $i) { agency { id } } }";
const UPDATE_AGENCY: &str = "mutation($i: UpdateAgencyInput!) { updateAgency(input: $i) { agency { id } } }";
const DELETE_AGENCY: &str = "mutation($i: DeleteInput!) { deleteAgency(input: $i) { deletedId } }";
const CREATE_DOCUMENT: &str = "mutation($i: CreateDocumentInput!) { createDocument(input: $i) { document { id } } }";
const UPDATE_DOCUMENT: &str = "mutation($i: UpdateDocumentInput!) { updateDocument(input: $i) { document { id } } }";
const DELETE_DOCUMENT: &str = "mutation($i: DeleteInput!) { deleteDocument(input: $i) { deletedId } }";
const LINK: &str = "mutation($i: LinkDocumentsInput!) { linkDocuments(input: $i) { from { id } } }";
const UNLINK: &str = "mutation($i: LinkDocumentsInput!) { unlinkDocuments(input: $i) { from { id } } }";
const CREATE_GROUP: &str = "mutation($i: CreateTaskGroupInput!) { createTaskGroup(input: $i) { taskGroup { id } } }";
const UPDATE_GROUP: &str = "mutation($i: UpdateTaskGroupInput!) { updateTaskGroup(input: $i) { taskGroup { id } } }";
const DELETE_GROUP: &str = "mutation($i: DeleteInput!) { deleteTaskGroup(input: $i) { deletedId } }";
const CREATE_TASK: &str = "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }";
const UPDATE_TASK: &str = "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { id } } }";
const DELETE_TASK: &str = "mutation($i: DeleteInput!) { deleteTask(input: $i) { deletedId } }";
const ASSIGN: &str = "mutation($i: AssignTaskInput!) { assignTask(input: $i) { assignment { id } } }";
const UNASSIGN: &str = "mutation($i: UnassignTaskInput!) { unassignTask(input: $i) { assignment { id } } }";
const UPDATE_ASSIGNMENT: &str =
    "mutation($i: UpdateTaskAssignmentInput!) { updateTaskAssignment(input: $i) { assignment { id } } }";
const DELETE_ASSIGNMENT: &str = "mutation($i: DeleteInput!) { deleteTaskAssignment(input: $i) { deletedId } }";
const PROGRESS: &str = "mutation($i: SetTaskProgressInput!) { setTaskProgress(input: $i) { task { id } } }";
const SUBMIT: &str =
    "mutation($i: SubmitProgressReportInput!) { submitProgressReport(input: $i) { progressReport { id } } }";
const UPDATE_REPORT: &str =
    "mutation($i: UpdateProgressReportInput!) { updateProgressReport(input: $i) { progressReport { id } } }";
const DELETE_REPORT: &str = "mutation($i: DeleteInput!) { deleteProgressReport(input: $i) { deletedId } }";

fn report(task: &str, agency: &str) -> Value {
    json!({ "i": { "taskId": task, "agencyId": agency, "periodKind": "QUARTERLY", "periodStart": "2025-01-01",
                   "periodEnd": "2025-03-31", "percentComplete": 60, "narrative": "Đã triển khai" } })
}

async fn each_mutation_allows_its_role_and_refuses_others(app: TestApp) {
    let s = app.sample().await;
    let admin = app.admin_token.clone();
    let editor = app.token("editor@hy-ubnd", &[Role::Editor], Some("HY-UBND"));
    let reporter = app.token("reporter@hy-stttt", &[Role::Reporter], Some("HY-STTTT"));
    let hn_reporter = app.token("reporter@hn-stttt", &[Role::Reporter], Some("HN-STTTT"));
    let reader = app.token("reader@vpcp", &[Role::Reader], None);

    // Agencies: ADMIN only.
    let agency = |code: &str| json!({ "i": { "code": code, "name": "Sở Tư pháp", "kind": "DEPARTMENT", "level": "PROVINCIAL", "parentId": s.hy_ubnd } });
    let r = expect(&app, "createAgency by ADMIN", &admin, CREATE_AGENCY, agency("HY-STP"), true).await;
    let new_agency = r.str("createAgency.agency.id");
    expect(&app, "createAgency by EDITOR", &editor, CREATE_AGENCY, agency("HY-SYT"), false).await;
    let rename = |v: i64| json!({ "i": { "id": new_agency, "expectedVersion": v, "nameEn": "Department of Justice" } });
    expect(&app, "updateAgency by READER", &reader, UPDATE_AGENCY, rename(1), false).await;
    expect(&app, "updateAgency by ADMIN", &admin, UPDATE_AGENCY, rename(1), true).await;
    let delete = json!({ "i": { "id": new_agency, "expectedVersion": 2 } });
    expect(&app, "deleteAgency by EDITOR", &editor, DELETE_AGENCY, delete.clone(), false).await;
    expect(&app, "deleteAgency by ADMIN", &admin, DELETE_AGENCY, delete, true).await;

    // Documents: an EDITOR of HY-UBND, for what HY-UBND or an agency under it issues.
    let plan = |issuer: &str, symbol: &str| json!({ "i": { "symbol": symbol, "issuerId": issuer, "issuedOn": "2025-05-05", "title": "Kế hoạch thông tin đối ngoại năm 2025" } });
    let r = expect(
        &app,
        "createDocument issued by HY-UBND",
        &editor,
        CREATE_DOCUMENT,
        plan(&s.hy_ubnd, "75/KH-UBND"),
        true,
    )
    .await;
    let own_plan = r.str("createDocument.document.id");
    expect(
        &app,
        "createDocument issued by a department under HY-UBND",
        &editor,
        CREATE_DOCUMENT,
        plan(&s.hy_stttt, "12/KH-STTTT"),
        true,
    )
    .await;
    expect(&app, "createDocument issued by the Government", &editor, CREATE_DOCUMENT, plan(&s.cp, "99/NQ-CP"), false)
        .await;
    expect(&app, "createDocument by a REPORTER", &reporter, CREATE_DOCUMENT, plan(&s.hy_stttt, "13/KH-STTTT"), false)
        .await;
    let retitle =
        |id: &str, v: i64| json!({ "i": { "id": id, "expectedVersion": v, "titleEn": "External information plan" } });
    expect(
        &app,
        "updateDocument of 139/KH-UBND",
        &editor,
        UPDATE_DOCUMENT,
        retitle(&s.kh139, app.version(&s.kh139).await),
        true,
    )
    .await;
    expect(
        &app,
        "updateDocument of 47/NQ-CP",
        &editor,
        UPDATE_DOCUMENT,
        retitle(&s.nq47, app.version(&s.nq47).await),
        false,
    )
    .await;
    let to_government = json!({ "i": { "id": own_plan, "expectedVersion": 1, "issuerId": s.cp } });
    expect(&app, "updateDocument handing it to the Government", &editor, UPDATE_DOCUMENT, to_government, false).await;
    let link = |from: &str| json!({ "i": { "fromId": from, "toId": s.kl57, "kind": "IMPLEMENTS" } });
    expect(&app, "linkDocuments from its own plan", &editor, LINK, link(&own_plan), true).await;
    expect(&app, "linkDocuments from 47/NQ-CP", &editor, LINK, link(&s.nq47), false).await;
    expect(&app, "unlinkDocuments from 47/NQ-CP", &editor, UNLINK, link(&s.nq47), false).await;
    expect(&app, "unlinkDocuments from its own plan", &editor, UNLINK, link(&own_plan), true).await;

    // Task groups, tasks and assignments follow their document.
    let group = |doc: &str| json!({ "i": { "documentId": doc, "code": "IX", "title": "Nhóm nhiệm vụ" } });
    let r = expect(&app, "createTaskGroup in 139/KH-UBND", &editor, CREATE_GROUP, group(&s.kh139), true).await;
    let own_group = r.str("createTaskGroup.taskGroup.id");
    let r = expect(&app, "createTaskGroup in 47/NQ-CP by ADMIN", &admin, CREATE_GROUP, group(&s.nq47), true).await;
    let cp_group = r.str("createTaskGroup.taskGroup.id");
    expect(&app, "createTaskGroup in 47/NQ-CP", &editor, CREATE_GROUP, group(&s.nq47), false).await;
    let regroup = |id: &str| json!({ "i": { "id": id, "expectedVersion": 1, "titleEn": "Group" } });
    expect(&app, "updateTaskGroup of 47/NQ-CP", &editor, UPDATE_GROUP, regroup(&cp_group), false).await;
    expect(&app, "updateTaskGroup of 139/KH-UBND", &editor, UPDATE_GROUP, regroup(&own_group), true).await;
    expect(
        &app,
        "deleteTaskGroup of 47/NQ-CP",
        &editor,
        DELETE_GROUP,
        json!({ "i": { "id": cp_group, "expectedVersion": 1 } }),
        false,
    )
    .await;
    expect(
        &app,
        "deleteTaskGroup of 139/KH-UBND",
        &editor,
        DELETE_GROUP,
        json!({ "i": { "id": own_group, "expectedVersion": 2 } }),
        true,
    )
    .await;

    let task = |doc: &str| json!({ "i": { "documentId": doc, "code": "9.9", "content": "Quảng bá hình ảnh Hưng Yên", "leadAgencyId": s.hy_stttt } });
    let r = expect(&app, "createTask in 139/KH-UBND", &editor, CREATE_TASK, task(&s.kh139), true).await;
    let own_task = r.str("createTask.task.id");
    expect(&app, "createTask in 47/NQ-CP", &editor, CREATE_TASK, task(&s.nq47), false).await;
    let retask = |id: &str, v: i64| json!({ "i": { "id": id, "expectedVersion": v, "deadline": { "year": 2026 } } });
    expect(
        &app,
        "updateTask of 139/KH-UBND",
        &editor,
        UPDATE_TASK,
        retask(&s.hy_task, app.version(&s.hy_task).await),
        true,
    )
    .await;
    expect(
        &app,
        "updateTask of 47/NQ-CP",
        &editor,
        UPDATE_TASK,
        retask(&s.cp_task, app.version(&s.cp_task).await),
        false,
    )
    .await;
    let assign = |task: &str| json!({ "i": { "taskId": task, "agencyId": s.hy_snv, "role": "COORDINATING" } });
    let r = expect(&app, "assignTask in 139/KH-UBND", &editor, ASSIGN, assign(&own_task), true).await;
    let own_assignment = r.str("assignTask.assignment.id");
    expect(&app, "assignTask in 47/NQ-CP", &editor, ASSIGN, assign(&s.cp_task), false).await;
    let r = expect(&app, "assignTask in 47/NQ-CP by ADMIN", &admin, ASSIGN, assign(&s.cp_task), true).await;
    let cp_assignment = r.str("assignTask.assignment.id");
    let fix = |id: &str| json!({ "i": { "id": id, "expectedVersion": 1, "reason": "Sửa nhầm" } });
    expect(&app, "updateTaskAssignment in 47/NQ-CP", &editor, UPDATE_ASSIGNMENT, fix(&cp_assignment), false).await;
    expect(&app, "updateTaskAssignment in 139/KH-UBND", &editor, UPDATE_ASSIGNMENT, fix(&own_assignment), true).await;
    let unassign = |task: &str| json!({ "i": { "taskId": task, "agencyId": s.hy_snv } });
    expect(&app, "unassignTask in 47/NQ-CP", &editor, UNASSIGN, unassign(&s.cp_task), false).await;
    expect(&app, "unassignTask in 139/KH-UBND", &editor, UNASSIGN, unassign(&own_task), true).await;
    let remove = |id: &str, v: i64| json!({ "i": { "id": id, "expectedVersion": v } });
    expect(&app, "deleteTaskAssignment in 47/NQ-CP", &editor, DELETE_ASSIGNMENT, remove(&cp_assignment, 1), false)
        .await;
    expect(&app, "deleteTaskAssignment in 139/KH-UBND", &editor, DELETE_ASSIGNMENT, remove(&own_assignment, 3), true)
        .await;
    expect(
        &app,
        "deleteTask in 47/NQ-CP",
        &editor,
        DELETE_TASK,
        remove(&s.cp_task, app.version(&s.cp_task).await),
        false,
    )
    .await;
    expect(&app, "deleteTask in 139/KH-UBND", &editor, DELETE_TASK, remove(&own_task, 1), true).await;

    // Progress: a REPORTER of HY-STTTT, on tasks where HY-STTTT presides or coordinates, as HY-STTTT.
    let progress =
        |task: &str, v: i64| json!({ "i": { "id": task, "expectedVersion": v, "progressState": "IN_PROGRESS" } });
    expect(
        &app,
        "setTaskProgress by an EDITOR",
        &editor,
        PROGRESS,
        progress(&s.hy_task, app.version(&s.hy_task).await),
        false,
    )
    .await;
    expect(
        &app,
        "setTaskProgress on its own task",
        &reporter,
        PROGRESS,
        progress(&s.hy_task, app.version(&s.hy_task).await),
        true,
    )
    .await;
    expect(
        &app,
        "setTaskProgress on a Hà Nội task",
        &reporter,
        PROGRESS,
        progress(&s.hn_task, app.version(&s.hn_task).await),
        false,
    )
    .await;
    let r =
        expect(&app, "submitProgressReport on its own task", &reporter, SUBMIT, report(&s.hy_task, &s.hy_stttt), true)
            .await;
    let own_report = r.str("submitProgressReport.progressReport.id");
    expect(&app, "submitProgressReport on a Hà Nội task", &reporter, SUBMIT, report(&s.hn_task, &s.hy_stttt), false)
        .await;
    expect(&app, "submitProgressReport as another agency", &reporter, SUBMIT, report(&s.hn_task, &s.hn_stttt), false)
        .await;
    let r = expect(
        &app,
        "submitProgressReport by Hà Nội's REPORTER",
        &hn_reporter,
        SUBMIT,
        report(&s.hn_task, &s.hn_stttt),
        true,
    )
    .await;
    let hn_report = r.str("submitProgressReport.progressReport.id");
    let amend = |id: &str| json!({ "i": { "id": id, "expectedVersion": 1, "percentComplete": 75 } });
    expect(&app, "updateProgressReport of Hà Nội", &reporter, UPDATE_REPORT, amend(&hn_report), false).await;
    expect(&app, "updateProgressReport of its own", &reporter, UPDATE_REPORT, amend(&own_report), true).await;
    expect(&app, "deleteProgressReport of Hà Nội", &reporter, DELETE_REPORT, remove(&hn_report, 1), false).await;
    expect(&app, "deleteProgressReport of its own", &reporter, DELETE_REPORT, remove(&own_report, 2), true).await;

    // Deleting a document is the last, since the rows above hang from it.
    expect(
        &app,
        "deleteDocument 47/NQ-CP",
        &editor,
        DELETE_DOCUMENT,
        remove(&s.nq47, app.version(&s.nq47).await),
        false,
    )
    .await;
    expect(&app, "deleteDocument of its own", &editor, DELETE_DOCUMENT, remove(&own_plan, 1), true).await;

    // Reads are the same for every role; audit data is ADMIN's.
    let r = app.gql_as(&reader, "{ documents(filter: {symbol: \"57-KL/TW\"}) { totalCount } }", json!({})).await;
    assert_eq!(r.i64("documents.totalCount"), 1);
    let r = app.gql_as(&reader, "{ auditLog { totalCount } }", json!({})).await;
    assert_eq!(r.error_code(), "FORBIDDEN");
    let r = app
        .gql_as(
            &editor,
            "query($id: ID!) { node(id: $id) { ... on Document { symbol history { totalCount } } } }",
            json!({ "id": s.kh139 }),
        )
        .await;
    assert_eq!(r.error_code(), "FORBIDDEN", "restricted fields are refused on every path, never silently null");
}

db_tests!(each_mutation_allows_its_role_and_refuses_others);
