use serde_json::json;

use crate::db_tests;
use crate::helpers::TestApp;

const TASK: &str = "query($id: ID!) { node(id: $id) { ... on Task { code version progressState completedOn
    lead { code } coordinators { code } assignments { role endedOn agency { code } }
    deadline { kind date year recurrence } } } }";
const ASSIGN: &str = "mutation($i: AssignTaskInput!) { assignTask(input: $i) { assignment { role agency { code } } task { lead { code } } } }";
const UNASSIGN: &str =
    "mutation($i: UnassignTaskInput!) { unassignTask(input: $i) { assignment { endedOn } task { lead { code } } } }";
const PROGRESS: &str =
    "mutation($i: SetTaskProgressInput!) { setTaskProgress(input: $i) { task { progressState completedOn version } } }";

async fn a_task_has_one_presiding_and_several_coordinating_agencies(app: TestApp) {
    let (lead, doc) = app.document_with_issuer().await;
    let bng = app.create_agency("BNG", "MINISTRY", "CENTRAL", None).await;
    let bca = app.create_agency("BCA", "MINISTRY", "CENTRAL", None).await;
    let r = app
        .gql(
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id code content contentEn: content(lang: \"en\")
                deadline { kind year } progressState lead { code } coordinators { code } assignments { role assignedOn } } } }",
            json!({ "i": { "documentId": doc, "code": "2.3", "content": "Tăng cường đấu tranh phản bác thông tin sai trái",
                "contentEn": "Strengthen the fight against false information", "leadAgencyId": lead,
                "coordinatorIds": [bng, bca], "deadline": { "year": 2025 } } }),
        )
        .await;
    assert_eq!(r.str("createTask.task.lead.code"), "BTTTT");
    let coordinators: Vec<&str> = r
        .data("createTask.task.coordinators")
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(coordinators, ["BNG", "BCA"]);
    assert_eq!(r.str("createTask.task.deadline.kind"), "YEAR");
    assert_eq!(r.str("createTask.task.progressState"), "NOT_STARTED");
    assert_eq!(
        r.str("createTask.task.assignments.0.assignedOn"),
        "2024-04-15",
        "assigned when the document was issued"
    );
    assert_eq!(r.str("createTask.task.contentEn"), "Strengthen the fight against false information");

    let r = app
        .gql("{ tasks(filter: { agencyCode: \"BNG\", role: COORDINATING }) { totalCount nodes { code } } }", json!({}))
        .await;
    assert_eq!(r.i64("tasks.totalCount"), 1);
    let r = app.gql("{ tasks(filter: { agencyCode: \"BNG\", role: PRESIDING }) { totalCount } }", json!({})).await;
    assert_eq!(r.i64("tasks.totalCount"), 0);
    let r = app.gql("{ tasks(filter: { dueBefore: \"2026-01-01\" }) { totalCount } }", json!({})).await;
    assert_eq!(r.i64("tasks.totalCount"), 1, "a year deadline falls due on 31 December");
    let r = app.gql("{ tasks(filter: { dueBefore: \"2025-12-31\" }) { totalCount } }", json!({})).await;
    assert_eq!(r.i64("tasks.totalCount"), 0);
}

async fn task_input_mistakes_are_refused(app: TestApp) {
    let (lead, doc) = app.document_with_issuer().await;
    app.create_task(&doc, "1", &lead, &[]).await;
    let create = "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id } } }";
    let base = json!({ "documentId": doc, "code": "1", "content": "x", "leadAgencyId": lead });
    let r = app.gql(create, json!({ "i": base })).await;
    r.expect_error("CONFLICT");
    let mut i = base.clone();
    i["code"] = json!("2");
    i["coordinatorIds"] = json!([lead]);
    app.gql(create, json!({ "i": i })).await.expect_error("BAD_USER_INPUT");
    let mut i = base.clone();
    i["code"] = json!("3");
    i["deadline"] = json!({ "date": "2025-06-30", "year": 2025 });
    let r = app.gql(create, json!({ "i": i })).await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("deadline"));
    let mut i = base.clone();
    i["code"] = json!("4");
    i["deadline"] = json!({ "date": "30/06/2025" });
    app.gql(create, json!({ "i": i })).await.expect_error("BAD_USER_INPUT");
    // The agencies are checked together; each mistake still names the input and the agency.
    let helper = app.create_agency("BCA", "MINISTRY", "CENTRAL", None).await;
    let mut i = base.clone();
    i["code"] = json!("5");
    i["coordinatorIds"] = json!([helper, helper]);
    let r = app.gql(create, json!({ "i": i })).await;
    let message = r.expect_error("BAD_USER_INPUT");
    assert!(message.contains("listed twice"), "{message}");
    assert_eq!(r.error_field().as_deref(), Some("coordinatorIds"));
    let mut i = base.clone();
    i["code"] = json!("6");
    i["coordinatorIds"] = json!([helper, api::ids::AgencyId::generate().to_global()]);
    let r = app.gql(create, json!({ "i": i })).await;
    let message = r.expect_error("BAD_USER_INPUT");
    assert!(message.contains("names no existing agency"), "{message}");
    assert_eq!(r.error_field().as_deref(), Some("coordinatorIds"));
    let r = app.gql("{ tasks { totalCount } }", json!({})).await;
    assert_eq!(r.i64("tasks.totalCount"), 1, "nothing half-written");
}

async fn assignments_change_with_history_kept(app: TestApp) {
    let (lead, doc) = app.document_with_issuer().await;
    let successor = app.create_agency("BVHTTDL", "MINISTRY", "CENTRAL", None).await;
    let task = app.create_task(&doc, "1", &lead, &[]).await;

    let r = app.gql(ASSIGN, json!({ "i": { "taskId": task, "agencyId": successor, "role": "PRESIDING" } })).await;
    r.expect_error("CONFLICT");
    let r = app.gql(ASSIGN, json!({ "i": { "taskId": task, "agencyId": lead, "role": "COORDINATING" } })).await;
    r.expect_error("CONFLICT");

    let r = app.gql(UNASSIGN, json!({ "i": { "taskId": task, "agencyId": lead, "endedOn": "2025-02-28" } })).await;
    assert_eq!(r.str("unassignTask.assignment.endedOn"), "2025-02-28");
    assert!(r.data("unassignTask.task.lead").is_null());
    let r = app.gql(ASSIGN, json!({ "i": { "taskId": task, "agencyId": successor, "role": "PRESIDING", "assignedOn": "2025-03-01", "reason": "Nghị định 43/2025/NĐ-CP" } })).await;
    assert_eq!(r.str("assignTask.task.lead.code"), "BVHTTDL");

    let r = app.gql(TASK, json!({ "id": task })).await;
    let history: Vec<(String, Option<String>)> = r
        .data("node.assignments")
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["agency"]["code"].as_str().unwrap().to_owned(), a["endedOn"].as_str().map(str::to_owned)))
        .collect();
    assert_eq!(history, [("BTTTT".to_owned(), Some("2025-02-28".to_owned())), ("BVHTTDL".to_owned(), None)]);
    let r = app.gql(UNASSIGN, json!({ "i": { "taskId": task, "agencyId": lead } })).await;
    r.expect_error("NOT_FOUND");
}

async fn assignments_are_corrected_and_mistakes_removed(app: TestApp) {
    let (lead, doc) = app.document_with_issuer().await;
    let bng = app.create_agency("BNG", "MINISTRY", "CENTRAL", None).await;
    let task = app.create_task(&doc, "1", &lead, &[&bng]).await;
    let r = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Task { assignments { id version agency { code } } } } }",
            json!({ "id": task }),
        )
        .await;
    let lead_assignment = r.str("node.assignments.0.id");
    let coordinator_assignment = r.str("node.assignments.1.id");
    let update = "mutation($i: UpdateTaskAssignmentInput!) { updateTaskAssignment(input: $i) {
        assignment { role assignedOn endedOn reason version } task { lead { code } coordinators { code } } } }";

    // Two presiding agencies at once is refused; after the lead's role ends, the coordinator may preside.
    let r = app
        .gql(update, json!({ "i": { "id": coordinator_assignment, "expectedVersion": 1, "role": "PRESIDING" } }))
        .await;
    r.expect_error("CONFLICT");
    let r =
        app.gql(update, json!({ "i": { "id": lead_assignment, "expectedVersion": 1, "endedOn": "2024-01-01" } })).await;
    assert_eq!(r.error_field().as_deref(), Some("endedOn"), "before the assignment began");
    let r =
        app.gql(update, json!({ "i": { "id": lead_assignment, "expectedVersion": 1, "endedOn": "2025-02-28" } })).await;
    assert!(r.data("updateTaskAssignment.task.lead").is_null());
    let r = app.gql(update, json!({ "i": { "id": coordinator_assignment, "expectedVersion": 1, "role": "PRESIDING", "reason": "Chuyển chức năng" } })).await;
    assert_eq!(r.str("updateTaskAssignment.task.lead.code"), "BNG");
    assert_eq!(r.str("updateTaskAssignment.assignment.reason"), "Chuyển chức năng");
    // Reopening the old lead's assignment would give the task two presiding agencies.
    let r = app.gql(update, json!({ "i": { "id": lead_assignment, "expectedVersion": 2, "endedOn": null } })).await;
    r.expect_error("CONFLICT");

    let delete = "mutation($i: DeleteInput!) { deleteTaskAssignment(input: $i) { deletedId } }";
    app.gql(delete, json!({ "i": { "id": lead_assignment, "expectedVersion": 1 } })).await.expect_error("CONFLICT");
    let r = app.gql(delete, json!({ "i": { "id": lead_assignment, "expectedVersion": 2 } })).await;
    assert_eq!(r.str("deleteTaskAssignment.deletedId"), lead_assignment);
    let r = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Task { assignments { agency { code } } } } }",
            json!({ "id": task }),
        )
        .await;
    assert_eq!(r.data("node.assignments").as_array().unwrap().len(), 1);
}

async fn progress_is_set_with_the_version_read(app: TestApp) {
    let (lead, doc) = app.document_with_issuer().await;
    let task = app.create_task(&doc, "1", &lead, &[]).await;
    let r = app.gql(PROGRESS, json!({ "i": { "id": task, "expectedVersion": 1, "progressState": "IN_PROGRESS", "completedOn": "2024-05-01" } })).await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("completedOn"));
    let r = app.gql(PROGRESS, json!({ "i": { "id": task, "expectedVersion": 1, "progressState": "COMPLETED", "completedOn": "2024-12-20" } })).await;
    assert_eq!(r.str("setTaskProgress.task.completedOn"), "2024-12-20");
    assert_eq!(r.i64("setTaskProgress.task.version"), 2);
    let r = app.gql(PROGRESS, json!({ "i": { "id": task, "expectedVersion": 1, "progressState": "CANCELLED" } })).await;
    r.expect_error("CONFLICT");
    let r =
        app.gql(PROGRESS, json!({ "i": { "id": task, "expectedVersion": 2, "progressState": "IN_PROGRESS" } })).await;
    assert!(r.data("setTaskProgress.task.completedOn").is_null(), "reopening clears the completion date");

    let update =
        "mutation($i: UpdateTaskInput!) { updateTask(input: $i) { task { version deadline { kind recurrence } } } }";
    let r = app
        .gql(update, json!({ "i": { "id": task, "expectedVersion": 3, "deadline": { "recurrence": "QUARTERLY" } } }))
        .await;
    assert_eq!(r.str("updateTask.task.deadline.recurrence"), "QUARTERLY");
    let r = app.gql(update, json!({ "i": { "id": task, "expectedVersion": 4, "deadline": {} } })).await;
    assert_eq!(r.str("updateTask.task.deadline.kind"), "NONE", "{{}} makes a regular task");
    let r = app
        .gql(
            "mutation($i: DeleteInput!) { deleteTask(input: $i) { deletedId } }",
            json!({ "i": { "id": task, "expectedVersion": 5 } }),
        )
        .await;
    assert_eq!(r.str("deleteTask.deletedId"), task);
}

async fn only_assigned_agencies_report_progress(app: TestApp) {
    let (lead, doc) = app.document_with_issuer().await;
    let coordinator = app.create_agency("BNG", "MINISTRY", "CENTRAL", None).await;
    let outsider = app.create_agency("HY-UBND", "PEOPLES_COMMITTEE", "PROVINCIAL", None).await;
    let task = app.create_task(&doc, "1", &lead, &[&coordinator]).await;
    let submit = "mutation($i: SubmitProgressReportInput!) { submitProgressReport(input: $i) { progressReport { id percentComplete agency { code } version } } }";
    let report = |agency: &str, percent: i64| {
        json!({ "i": { "taskId": task, "agencyId": agency, "periodKind": "QUARTERLY", "periodStart": "2024-04-01",
                        "periodEnd": "2024-06-30", "percentComplete": percent, "narrative": "Đã tổ chức hội nghị quán triệt" } })
    };
    let r = app.gql(submit, report(&lead, 30)).await;
    let first = r.str("submitProgressReport.progressReport.id");
    app.gql(submit, report(&coordinator, 10)).await.data("submitProgressReport");
    let r = app.gql(submit, report(&outsider, 10)).await;
    r.expect_error("BAD_USER_INPUT");
    assert_eq!(r.error_field().as_deref(), Some("agencyId"));
    let r = app.gql(submit, report(&lead, 150)).await;
    assert_eq!(r.error_field().as_deref(), Some("percentComplete"));

    let r = app.gql("query($id: ID!) { node(id: $id) { ... on Task { progressReports { totalCount nodes { agency { code } percentComplete } } } } }", json!({ "id": task })).await;
    assert_eq!(r.i64("node.progressReports.totalCount"), 2);
    assert_eq!(r.str("node.progressReports.nodes.0.agency.code"), "BTTTT");

    let update = "mutation($i: UpdateProgressReportInput!) { updateProgressReport(input: $i) { progressReport { percentComplete version } } }";
    let r = app.gql(update, json!({ "i": { "id": first, "expectedVersion": 1, "percentComplete": 45 } })).await;
    assert_eq!(r.i64("updateProgressReport.progressReport.percentComplete"), 45);
    let r = app
        .gql(
            "mutation($i: DeleteInput!) { deleteProgressReport(input: $i) { deletedId } }",
            json!({ "i": { "id": first, "expectedVersion": 2 } }),
        )
        .await;
    assert_eq!(r.str("deleteProgressReport.deletedId"), first);
}

async fn task_groups_hold_tasks(app: TestApp) {
    let (lead, doc) = app.document_with_issuer().await;
    let r = app
        .gql(
            "mutation($i: CreateTaskGroupInput!) { createTaskGroup(input: $i) { taskGroup { id code title(lang: \"en\") } } }",
            json!({ "i": { "documentId": doc, "code": "1", "title": "Tuyên truyền, quán triệt Kết luận", "titleEn": "Dissemination of the Conclusion" } }),
        )
        .await;
    let group = r.str("createTaskGroup.taskGroup.id");
    assert_eq!(r.str("createTaskGroup.taskGroup.title"), "Dissemination of the Conclusion");
    let r = app
        .gql(
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { task { id group { code } } } }",
            json!({ "i": { "documentId": doc, "code": "1.1", "content": "x", "leadAgencyId": lead, "groupId": group } }),
        )
        .await;
    assert_eq!(r.str("createTask.task.group.code"), "1");
    let r = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Document { taskGroups { code tasks { totalCount } } } } }",
            json!({ "id": doc }),
        )
        .await;
    assert_eq!(r.i64("node.taskGroups.0.tasks.totalCount"), 1);
    let r = app
        .gql(
            "mutation($i: DeleteInput!) { deleteTaskGroup(input: $i) { deletedId } }",
            json!({ "i": { "id": group, "expectedVersion": 1 } }),
        )
        .await;
    r.data("deleteTaskGroup");
    let r = app.gql("{ tasks { nodes { code group { code } } } }", json!({})).await;
    assert!(r.data("tasks.nodes.0.group").is_null(), "the tasks of a deleted group stay, ungrouped");
}

/// A mutation that reads tasks by their status and then changes one sees the status it set: what
/// a status filter found is not taken for the status after a write.
async fn a_status_read_before_a_change_is_not_kept(app: TestApp) {
    let (lead, doc) = app.document_with_issuer().await;
    let task = app.create_task(&doc, "1", &lead, &[]).await;
    let both = "mutation($a: SetTaskProgressInput!, $b: SetTaskProgressInput!) {
        a: setTaskProgress(input: $a) { task { document { tasks(first: 10, filter: { status: [ONGOING] }) { nodes { status } } } } }
        b: setTaskProgress(input: $b) { task { status } } }";
    let r = app
        .gql(
            both,
            json!({ "a": { "id": task, "expectedVersion": 1, "progressState": "IN_PROGRESS" },
                    "b": { "id": task, "expectedVersion": 2, "progressState": "COMPLETED", "completedOn": "2024-12-20" } }),
        )
        .await;
    assert_eq!(r.data("a.task.document.tasks.nodes.0.status"), "ONGOING");
    assert_eq!(r.str("b.task.status"), "COMPLETED_ON_TIME");
}

db_tests!(
    a_status_read_before_a_change_is_not_kept,
    a_task_has_one_presiding_and_several_coordinating_agencies,
    task_input_mistakes_are_refused,
    assignments_change_with_history_kept,
    assignments_are_corrected_and_mistakes_removed,
    progress_is_set_with_the_version_read,
    only_assigned_agencies_report_progress,
    task_groups_hold_tasks,
);
