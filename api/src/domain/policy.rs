//! Who may do what. Every resolver that reads or changes data asks [`authorize`], with the facts
//! the rule needs, so that access rules live in this one place.
//!
//! - `ADMIN`: everything.
//! - `EDITOR` of agency A: documents issued by A or an agency under A (by `parent`), their task
//!   groups, tasks and assignments, and links from those documents.
//! - `REPORTER` of agency A: progress and progress reports of tasks on which A currently presides
//!   or coordinates, reporting as A.
//! - `READER`, and every other role: reads. Audit data is for `ADMIN` only.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    Admin,
    Editor,
    Reporter,
    Reader,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Editor, Role::Reporter, Role::Reader];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "ADMIN",
            Self::Editor => "EDITOR",
            Self::Reporter => "REPORTER",
            Self::Reader => "READER",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("\"{s}\" is not a role: expected one of ADMIN, EDITOR, REPORTER, READER"))
    }
}

/// An authenticated caller, as its verified token describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub sub: String,
    /// The code of the agency the caller acts for.
    pub agency: Option<String>,
    pub roles: Vec<Role>,
}

impl Principal {
    fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The agency the caller acts for in `role`, if it holds that role.
    fn agency_in(&self, role: Role) -> Option<&str> {
        if self.has(role) { self.agency.as_deref() } else { None }
    }
}

/// The caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// No token, where the service lets anonymous clients read.
    Anonymous,
    User(Principal),
}

/// What a caller wants to do, with the facts the rule needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    Read,
    ReadAudit,
    ManageAgencies,
    /// Change a document (or what it holds) whose issuer's chain is given: the issuer's code, then
    /// the codes of the agencies above it.
    Edit {
        issuer_chain: &'a [String],
    },
    /// Set the progress of a task whose current presiding and coordinating agencies are given.
    SetProgress {
        assigned: &'a [String],
    },
    /// Submit or change a report made as `reporter` on a task whose current agencies are given.
    Report {
        reporter: &'a str,
        assigned: &'a [String],
    },
}

pub fn authorize(actor: &Actor, action: Action<'_>) -> Result<()> {
    let user = match actor {
        Actor::User(user) => user,
        Actor::Anonymous if action == Action::Read => return Ok(()),
        Actor::Anonymous => return Err(Error::forbidden("anonymous clients may only read: send a bearer token")),
    };
    if user.has(Role::Admin) {
        return Ok(());
    }
    match action {
        Action::Read => Ok(()),
        Action::ReadAudit => Err(Error::forbidden("audit data may be read by ADMIN only")),
        Action::ManageAgencies => Err(Error::forbidden("agencies may be changed by ADMIN only")),
        Action::Edit { issuer_chain } => match user.agency_in(Role::Editor) {
            Some(agency) if issuer_chain.iter().any(|a| a == agency) => Ok(()),
            Some(agency) => Err(Error::forbidden(format!(
                "an EDITOR of {agency} may change only documents issued by {agency} or an agency under it; \
                 this one is issued by {}",
                issuer_chain.first().map_or("another agency", String::as_str)
            ))),
            None => Err(Error::forbidden("changing documents and tasks needs the EDITOR role with an agency")),
        },
        Action::SetProgress { assigned } => match user.agency_in(Role::Reporter) {
            Some(agency) if assigned.iter().any(|a| a == agency) => Ok(()),
            Some(agency) => Err(Error::forbidden(format!(
                "a REPORTER of {agency} may report only on tasks on which {agency} presides or coordinates"
            ))),
            None => Err(Error::forbidden("reporting progress needs the REPORTER role with an agency")),
        },
        Action::Report { reporter, assigned } => match user.agency_in(Role::Reporter) {
            Some(agency) if agency == reporter && assigned.iter().any(|a| a == agency) => Ok(()),
            Some(agency) if agency != reporter => {
                Err(Error::forbidden(format!("a REPORTER of {agency} may report only as {agency}, not as {reporter}")))
            }
            Some(agency) => Err(Error::forbidden(format!(
                "a REPORTER of {agency} may report only on tasks on which {agency} presides or coordinates"
            ))),
            None => Err(Error::forbidden("reporting progress needs the REPORTER role with an agency")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn user(roles: &[Role], agency: Option<&str>) -> Actor {
        Actor::User(Principal { sub: "u".into(), agency: agency.map(Into::into), roles: roles.to_vec() })
    }

    fn chain(codes: &[&str]) -> Vec<String> {
        codes.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn editors_change_what_their_agency_or_those_under_it_issued() {
        let hy = user(&[Role::Editor], Some("HY-UBND"));
        let own = chain(&["HY-UBND"]);
        let department = chain(&["HY-STTTT", "HY-UBND"]);
        let government = chain(&["CP"]);
        assert!(authorize(&hy, Action::Edit { issuer_chain: &own }).is_ok());
        assert!(authorize(&hy, Action::Edit { issuer_chain: &department }).is_ok());
        let err = authorize(&hy, Action::Edit { issuer_chain: &government }).unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden);
        assert!(err.message.contains("EDITOR of HY-UBND") && err.message.contains("CP"), "{}", err.message);
        // The agency above may not be changed from below.
        let dept_editor = user(&[Role::Editor], Some("HY-STTTT"));
        assert!(authorize(&dept_editor, Action::Edit { issuer_chain: &own }).is_err());
    }

    #[test]
    fn reporters_report_as_their_own_agency_on_their_own_tasks() {
        let reporter = user(&[Role::Reporter], Some("HY-STTTT"));
        let assigned = chain(&["HY-SNV", "HY-STTTT"]);
        let elsewhere = chain(&["HN-STTTT"]);
        assert!(authorize(&reporter, Action::SetProgress { assigned: &assigned }).is_ok());
        assert!(authorize(&reporter, Action::SetProgress { assigned: &elsewhere }).is_err());
        assert!(authorize(&reporter, Action::Report { reporter: "HY-STTTT", assigned: &assigned }).is_ok());
        assert!(authorize(&reporter, Action::Report { reporter: "HY-SNV", assigned: &assigned }).is_err());
        assert!(authorize(&reporter, Action::Edit { issuer_chain: &assigned }).is_err());
    }

    #[test]
    fn readers_read_and_only_admins_see_audit_data() {
        let reader = user(&[Role::Reader], None);
        assert!(authorize(&reader, Action::Read).is_ok());
        assert!(authorize(&reader, Action::ReadAudit).is_err());
        assert!(authorize(&reader, Action::ManageAgencies).is_err());
        assert!(authorize(&user(&[Role::Admin], None), Action::ReadAudit).is_ok());
        assert!(authorize(&Actor::Anonymous, Action::Read).is_ok());
        assert!(authorize(&Actor::Anonymous, Action::ManageAgencies).is_err());
    }

    #[test]
    fn roles_parse_in_any_case() {
        assert_eq!("editor".parse::<Role>().unwrap(), Role::Editor);
        assert!("SUPERUSER".parse::<Role>().unwrap_err().contains("ADMIN, EDITOR"));
    }
}
