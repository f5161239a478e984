//! What the service shows of itself, and to whom: introspection and GraphiQL by caller, and, when
//! configured, only the operations of an allow-list (trusted documents).

pub mod trusted;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use clap::Args;

use crate::domain::policy::{Actor, Role};

#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Exposure")]
pub struct ExposureSettings {
    /// Who may introspect the schema (`__schema`, `__type`): `all`, `none`, or a comma-separated
    /// list of roles and ANONYMOUS (callers without a token).
    #[arg(long, env = "DIRECTIVES_INTROSPECTION", value_name = "CALLERS", default_value = "all")]
    pub introspection: Callers,

    /// Who is served GraphiQL at `GET /graphql`: `all`, `none`, or roles and ANONYMOUS (a role needs
    /// a proxy that adds the `Authorization` header to the browser's request).
    #[arg(long, env = "DIRECTIVES_GRAPHIQL", value_name = "CALLERS", default_value = "all")]
    pub graphiql: Callers,

    /// Run only the operations listed in this file (trusted documents): an Apollo persisted-query
    /// manifest, or a JSON object from SHA-256 hash to document.
    #[arg(long, env = "DIRECTIVES_TRUSTED_DOCUMENTS", value_name = "PATH")]
    pub trusted_documents: Option<PathBuf>,
}

impl Default for ExposureSettings {
    fn default() -> Self {
        Self { introspection: Callers::all(), graphiql: Callers::all(), trusted_documents: None }
    }
}

/// A set of callers: some roles, and perhaps callers without a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callers {
    anonymous: bool,
    roles: Vec<Role>,
}

impl Callers {
    pub fn all() -> Self {
        Self { anonymous: true, roles: Role::ALL.to_vec() }
    }

    pub fn none() -> Self {
        Self { anonymous: false, roles: Vec::new() }
    }

    pub fn is_none(&self) -> bool {
        !self.anonymous && self.roles.is_empty()
    }

    pub fn admits_anonymous(&self) -> bool {
        self.anonymous
    }

    pub fn admits(&self, actor: &Actor) -> bool {
        match actor {
            Actor::Anonymous => self.anonymous,
            Actor::User(user) => user.roles.iter().any(|r| self.roles.contains(r)),
        }
    }
}

impl FromStr for Callers {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("all") {
            return Ok(Self::all());
        }
        if s.is_empty() || s.eq_ignore_ascii_case("none") {
            return Ok(Self::none());
        }
        let mut callers = Self::none();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part.eq_ignore_ascii_case("anonymous") {
                callers.anonymous = true;
            } else {
                let role = part.parse::<Role>().map_err(|e| format!("{e}, ANONYMOUS, `all` or `none`"))?;
                if !callers.roles.contains(&role) {
                    callers.roles.push(role);
                }
            }
        }
        Ok(callers)
    }
}

impl fmt::Display for Callers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_none() {
            return f.write_str("nobody");
        }
        let mut names: Vec<&str> = Role::ALL.iter().filter(|r| self.roles.contains(r)).map(|r| r.as_str()).collect();
        if self.anonymous {
            names.push("callers without a token");
        }
        f.write_str(&names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::Principal;

    fn user(roles: &[Role]) -> Actor {
        Actor::User(Principal { sub: "s".into(), agency: None, roles: roles.to_vec() })
    }

    #[test]
    fn callers_are_read_as_operators_write_them() {
        let some: Callers = "ADMIN, editor,anonymous".parse().unwrap();
        assert!(some.admits(&user(&[Role::Admin])));
        assert!(some.admits(&user(&[Role::Reader, Role::Editor])));
        assert!(!some.admits(&user(&[Role::Reader])));
        assert!(some.admits(&Actor::Anonymous));
        assert_eq!(some.to_string(), "ADMIN, EDITOR, callers without a token");
        let none: Callers = "none".parse().unwrap();
        assert!(!none.admits(&user(&[Role::Admin])) && !none.admits(&Actor::Anonymous));
        assert_eq!(none.to_string(), "nobody");
        assert!("all".parse::<Callers>().unwrap().admits(&Actor::Anonymous));
        let err = "ADMIN,OWNER".parse::<Callers>().unwrap_err();
        assert!(err.contains("OWNER") && err.contains("ANONYMOUS"), "{err}");
    }
}
