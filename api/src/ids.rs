//! Typed entity ids, so that an agency id can never be passed where a task id is meant,
//! and the opaque global ids that carry them over GraphQL.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

use crate::error::Error;

/// The entity types that have global ids; the name is part of the encoded id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeType {
    Agency,
    Document,
    TaskGroup,
    Task,
    TaskAssignment,
    ProgressReport,
}

impl NodeType {
    const ALL: [NodeType; 6] =
        [Self::Agency, Self::Document, Self::TaskGroup, Self::Task, Self::TaskAssignment, Self::ProgressReport];

    pub fn name(self) -> &'static str {
        match self {
            Self::Agency => "Agency",
            Self::Document => "Document",
            Self::TaskGroup => "TaskGroup",
            Self::Task => "Task",
            Self::TaskAssignment => "TaskAssignment",
            Self::ProgressReport => "ProgressReport",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// A decoded global id: which type, which row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlobalId {
    pub node_type: NodeType,
    pub uuid: Uuid,
}

impl GlobalId {
    pub fn encode(node_type: NodeType, uuid: Uuid) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{}", node_type.name(), uuid.simple()))
    }

    pub fn decode(id: &str) -> Result<Self, Error> {
        let invalid = || Error::bad_input(format!("\"{}\" is not an ID issued by this service", truncate(id)));
        let bytes = URL_SAFE_NO_PAD.decode(id.trim()).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let (name, uuid) = text.split_once(':').ok_or_else(invalid)?;
        let node_type = NodeType::from_name(name).ok_or_else(invalid)?;
        let uuid = Uuid::parse_str(uuid).map_err(|_| invalid())?;
        Ok(Self { node_type, uuid })
    }
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Declares a typed id: a UUID that knows which entity it names.
macro_rules! typed_id {
    ($name:ident, $node:ident) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);

        impl $name {
            pub const NODE_TYPE: NodeType = NodeType::$node;

            /// A new time-ordered id, so that creation order is key order.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn to_global(self) -> String {
                GlobalId::encode(Self::NODE_TYPE, self.0)
            }

            /// Decodes a global id that must name this type; `field` names the input for the error.
            pub fn from_global(id: &str, field: &str) -> Result<Self, Error> {
                let global = GlobalId::decode(id).map_err(|e| e.with_field(field))?;
                if global.node_type != Self::NODE_TYPE {
                    return Err(Error::bad_field(
                        field,
                        format!(
                            "{field} must be the ID of a {}, but it is the ID of a {}",
                            Self::NODE_TYPE.name(),
                            global.node_type.name()
                        ),
                    ));
                }
                Ok(Self(global.uuid))
            }
        }

        impl From<$name> for sea_orm::Value {
            fn from(id: $name) -> Self {
                id.0.into()
            }
        }
    };
}

typed_id!(AgencyId, Agency);
typed_id!(DocumentId, Document);
typed_id!(TaskGroupId, TaskGroup);
typed_id!(TaskId, Task);
typed_id!(AssignmentId, TaskAssignment);
typed_id!(ReportId, ProgressReport);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn global_ids_round_trip_and_are_opaque() {
        let id = AgencyId::generate();
        let global = id.to_global();
        assert!(!global.contains(&id.0.simple().to_string()), "the UUID must not show through");
        assert_eq!(AgencyId::from_global(&global, "id").unwrap(), id);
    }

    #[test]
    fn an_id_of_another_type_is_refused_with_the_field() {
        let global = TaskId::generate().to_global();
        let err = AgencyId::from_global(&global, "issuerId").unwrap_err();
        assert_eq!(err.code, ErrorCode::BadUserInput);
        assert_eq!(err.field.as_deref(), Some("issuerId"));
        assert!(err.message.contains("Agency") && err.message.contains("Task"), "{}", err.message);
    }

    #[test]
    fn garbage_is_refused() {
        for junk in ["", "hello", "QWdlbmN5Om5vdC1hLXV1aWQ", "%%%", "Tm9wZTo0MiJ9"] {
            let err = GlobalId::decode(junk).unwrap_err();
            assert_eq!(err.code, ErrorCode::BadUserInput, "{junk}");
        }
    }
}
