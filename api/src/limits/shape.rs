//! The shape of an operation, measured before it runs: how deep it nests, how many aliases and root
//! fields it has, the most directives on one selection, whether it introspects, and what it costs.
//!
//! # Cost, the way GitHub counts it
//!
//! Every connection is assumed to return a full page (`first` or `last`, else the default page of
//! 20). A connection counts one *request* for each object it hangs under, so connections multiply
//! by the page sizes of the connections around them; the *nodes* are the objects all those pages
//! can return. The cost in points is the requests divided by 100, rounded, and at least 1:
//!
//! ```graphql
//! documents(first: 100) {            #   1 request,     100 nodes
//!   nodes { implementedBy(first: 50) {  # 100 requests,  5,000 nodes
//!     nodes { tasks(first: 10) {       # 5,000 requests, 50,000 nodes
//! ```
//!
//! is 5,101 requests, 55,100 nodes, 51 points. Lists that are not connections (a task's
//! coordinators, a document's ancestors) are short by nature and count once, except `nodes(ids:)`,
//! which counts once per id. Fragments are measured once and counted each time they are spread, so
//! the measure takes time in proportion to the document, however its fragments nest.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationDefinition, OperationType, Selection, SelectionSet,
    TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, Value, Variables};

use crate::graphql::pagination::DEFAULT_PAGE;

/// What the measure needs to know of the schema: each field's type, and which types are connections.
#[derive(Debug, Default)]
pub struct TypeIndex {
    fields: HashMap<String, HashMap<String, FieldType>>,
    roots: [String; 3],
}

#[derive(Debug, Clone)]
struct FieldType {
    named: String,
    list: bool,
}

impl TypeIndex {
    /// Reads the object and interface types of an SDL document.
    pub fn from_sdl(sdl: &str) -> Result<Self, String> {
        let document = async_graphql::parser::parse_schema(sdl).map_err(|e| e.to_string())?;
        let mut index = Self { roots: ["Query".into(), "Mutation".into(), "Subscription".into()], ..Self::default() };
        for definition in document.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let schema = schema.node;
                    for (slot, name) in [schema.query, schema.mutation, schema.subscription].into_iter().enumerate() {
                        if let Some(name) = name {
                            index.roots[slot] = name.node.to_string();
                        }
                    }
                }
                TypeSystemDefinition::Type(ty) => {
                    let ty = ty.node;
                    let fields = match ty.kind {
                        TypeKind::Object(object) => object.fields,
                        TypeKind::Interface(interface) => interface.fields,
                        _ => continue,
                    };
                    let entry = index.fields.entry(ty.name.node.to_string()).or_default();
                    for field in fields {
                        let field = field.node;
                        let mut base = &field.ty.node.base;
                        let mut list = false;
                        while let BaseType::List(inner) = base {
                            list = true;
                            base = &inner.base;
                        }
                        if let BaseType::Named(named) = base {
                            entry.insert(field.name.node.to_string(), FieldType { named: named.to_string(), list });
                        }
                    }
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        Ok(index)
    }

    fn field(&self, parent: &str, name: &str) -> Option<&FieldType> {
        self.fields.get(parent)?.get(name)
    }

    /// A Relay connection: a type with `edges` and `pageInfo`.
    fn is_connection(&self, type_name: &str) -> bool {
        self.fields.get(type_name).is_some_and(|f| f.contains_key("edges") && f.contains_key("pageInfo"))
    }

    fn root(&self, ty: OperationType) -> &str {
        match ty {
            OperationType::Query => &self.roots[0],
            OperationType::Mutation => &self.roots[1],
            OperationType::Subscription => &self.roots[2],
        }
    }
}

/// The measures of one operation. Counts saturate rather than overflow: a document built to make
/// them huge is refused all the same.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    pub kind: Option<OperationType>,
    /// Levels of fields; a root field is at depth 1.
    pub depth: u64,
    pub aliases: u64,
    pub root_fields: u64,
    /// The most directives on one selection, and what it is (`field tasks`, `fragment spread F`).
    pub directives: u64,
    pub directives_on: String,
    /// `__schema` or `__type` is asked for (`__typename` is not introspection).
    pub introspects: bool,
    pub requests: u64,
    pub nodes: u64,
}

impl Shape {
    /// The cost in points: requests / 100, rounded, at least 1.
    pub fn cost(&self) -> u64 {
        (self.requests.saturating_add(50) / 100).max(1)
    }

    /// Measures the operation that a request with this name would run; `None` when the name
    /// selects none (the engine then explains why the request cannot run).
    pub fn measure(
        index: &TypeIndex,
        document: &ExecutableDocument,
        operation_name: Option<&str>,
        variables: &Variables,
    ) -> Option<Shape> {
        let operation = select(document, operation_name)?;
        let mut walker = Walker { index, document, operation, variables, memo: HashMap::new(), open: HashSet::new() };
        let root = walker.selection_set(&operation.selection_set.node, index.root(operation.ty));
        let mut shape = root.into_shape();
        shape.kind = Some(operation.ty);
        if operation.directives.len() as u64 > shape.directives {
            shape.directives = operation.directives.len() as u64;
            shape.directives_on = "the operation".to_owned();
        }
        Some(shape)
    }
}

fn select<'d>(document: &'d ExecutableDocument, name: Option<&str>) -> Option<&'d OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next().map(|op| &op.node),
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// The measures of a selection set for one parent object, before multiplying by how many parents.
#[derive(Debug, Clone, Default)]
struct Summary {
    depth: u64,
    aliases: u64,
    fields: u64,
    directives: u64,
    directives_on: String,
    introspects: bool,
    requests: u64,
    nodes: u64,
}

impl Summary {
    fn add(&mut self, other: &Summary) {
        self.depth = self.depth.max(other.depth);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.fields = self.fields.saturating_add(other.fields);
        self.note_directives(other.directives, || other.directives_on.clone());
        self.introspects |= other.introspects;
        self.requests = self.requests.saturating_add(other.requests);
        self.nodes = self.nodes.saturating_add(other.nodes);
    }

    fn note_directives(&mut self, count: u64, on: impl FnOnce() -> String) {
        if count > self.directives {
            self.directives = count;
            self.directives_on = on();
        }
    }

    fn into_shape(self) -> Shape {
        Shape {
            kind: None,
            depth: self.depth,
            aliases: self.aliases,
            root_fields: self.fields,
            directives: self.directives,
            directives_on: self.directives_on,
            introspects: self.introspects,
            requests: self.requests,
            nodes: self.nodes,
        }
    }
}

struct Walker<'a> {
    index: &'a TypeIndex,
    document: &'a ExecutableDocument,
    operation: &'a OperationDefinition,
    variables: &'a Variables,
    /// Fragments measured so far: a fragment measures the same wherever it is spread.
    memo: HashMap<Name, Summary>,
    /// Fragments being measured, so that a cycle (refused later by validation) ends here.
    open: HashSet<Name>,
}

impl Walker<'_> {
    fn selection_set(&mut self, set: &SelectionSet, parent: &str) -> Summary {
        let mut summary = Summary::default();
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    let mut own = Summary { fields: 1, ..Summary::default() };
                    if field.alias.is_some() {
                        own.aliases = 1;
                    }
                    own.note_directives(field.directives.len() as u64, || format!("field `{name}`"));
                    let ty = self.index.field(parent, name).cloned();
                    let child_type = ty.as_ref().map_or("", |t| t.named.as_str());
                    let mut children = self.selection_set(&field.selection_set.node, child_type);
                    children.fields = 0; // only the root's own fields count as root fields
                    let introspection = matches!(name, "__schema" | "__type");
                    if introspection {
                        // The schema is small and fixed: its nesting is not the caller's to multiply.
                        children.depth = 0;
                        own.introspects = true;
                    }
                    own.depth = 1 + children.depth;
                    own.aliases = own.aliases.saturating_add(children.aliases);
                    own.note_directives(children.directives, || children.directives_on.clone());
                    own.introspects |= children.introspects;
                    let fan_out = match &ty {
                        Some(t) if self.index.is_connection(&t.named) => {
                            let page = self.page_size(field);
                            own.requests = 1;
                            own.nodes = page;
                            page
                        }
                        Some(t) if t.list => self.list_length(field).inspect(|&n| own.nodes = n).unwrap_or(1),
                        _ => 1,
                    };
                    own.requests = own.requests.saturating_add(fan_out.saturating_mul(children.requests));
                    own.nodes = own.nodes.saturating_add(fan_out.saturating_mul(children.nodes));
                    summary.add(&own);
                }
                Selection::FragmentSpread(spread) => {
                    let spread = &spread.node;
                    let name = &spread.fragment_name.node;
                    summary.note_directives(spread.directives.len() as u64, || format!("fragment spread `{name}`"));
                    if let Some(fragment) = self.fragment(name) {
                        summary.add(&fragment);
                    }
                }
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    summary.note_directives(inline.directives.len() as u64, || "an inline fragment".to_owned());
                    let on = inline.type_condition.as_ref().map_or(parent, |c| c.node.on.node.as_str());
                    let inner = self.selection_set(&inline.selection_set.node, on);
                    summary.add(&inner);
                }
            }
        }
        summary
    }

    fn fragment(&mut self, name: &Name) -> Option<Summary> {
        if let Some(known) = self.memo.get(name) {
            return Some(known.clone());
        }
        let document = self.document;
        let definition = &document.fragments.get(name)?.node;
        if !self.open.insert(name.clone()) {
            return None;
        }
        let mut summary =
            self.selection_set(&definition.selection_set.node, definition.type_condition.node.on.node.as_str());
        summary.note_directives(definition.directives.len() as u64, || format!("fragment `{name}`"));
        self.open.remove(name);
        self.memo.insert(name.clone(), summary.clone());
        Some(summary)
    }

    /// `first` or `last`, else the default page.
    fn page_size(&self, field: &async_graphql::parser::types::Field) -> u64 {
        ["first", "last"]
            .iter()
            .filter_map(|arg| match self.argument(field, arg)? {
                Value::Number(n) => Some(n.as_u64().unwrap_or(0)),
                _ => None,
            })
            .max()
            .unwrap_or(DEFAULT_PAGE)
    }

    /// The number of `ids` given to a list field that takes them.
    fn list_length(&self, field: &async_graphql::parser::types::Field) -> Option<u64> {
        match self.argument(field, "ids")? {
            Value::List(items) => Some(items.len() as u64),
            _ => None,
        }
    }

    /// An argument's value, with variables replaced by the request's values or their defaults.
    fn argument(&self, field: &async_graphql::parser::types::Field, name: &str) -> Option<Value> {
        let value = field.get_argument(name)?.node.clone();
        value
            .into_const_with(|variable| {
                self.variables
                    .get(&variable)
                    .cloned()
                    .or_else(|| {
                        self.operation
                            .variable_definitions
                            .iter()
                            .find(|d| d.node.name.node == variable)
                            .and_then(|d| d.node.default_value.as_ref().map(|v| v.node.clone()))
                    })
                    .ok_or(())
            })
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> TypeIndex {
        TypeIndex::from_sdl(&crate::graphql::schema::sdl()).unwrap()
    }

    fn measure(query: &str, variables: serde_json::Value) -> Shape {
        let document = async_graphql::parser::parse_query(query).unwrap();
        Shape::measure(&index(), &document, None, &Variables::from_json(variables)).unwrap()
    }

    #[test]
    fn connections_multiply_by_the_pages_around_them() {
        let shape = measure(
            "{ documents(first: 100) { nodes { implementedBy(first: 50) { nodes { tasks(first: 10) { nodes { code } } } } } } }",
            serde_json::json!({}),
        );
        assert_eq!((shape.requests, shape.nodes, shape.cost()), (5_101, 55_100, 51));
        assert_eq!(shape.depth, 7);
    }

    #[test]
    fn a_page_not_given_is_the_default_page_and_variables_count() {
        let shape = measure(
            "query($n: Int, $m: Int = 7) { agencies { edges { node { tasks(first: $n) { totalCount } } } }
                                           documents(last: $m) { totalCount } }",
            serde_json::json!({ "n": 30 }),
        );
        // agencies: 1 request, 20 nodes; their tasks: 20 requests of 30; documents: 1 request of 7.
        assert_eq!((shape.requests, shape.nodes), (22, 20 + 600 + 7));
        assert_eq!(shape.root_fields, 2);
        assert_eq!(shape.cost(), 1);
    }

    #[test]
    fn nodes_by_id_count_each_id() {
        let shape = measure(
            r#"{ nodes(ids: ["a", "b", "c"]) { ... on Document { implementedBy(first: 10) { totalCount } } } }"#,
            serde_json::json!({}),
        );
        assert_eq!((shape.requests, shape.nodes), (3, 3 + 30));
    }

    #[test]
    fn fragments_count_each_time_they_are_spread() {
        let shape = measure(
            "{ ...A a1: agencies { totalCount } }
             fragment A on Query { x: documents(first: 5) { totalCount } ...B ...B }
             fragment B on Query { y: tasks(first: 2) @include(if: true) @skip(if: false) { totalCount } }",
            serde_json::json!({}),
        );
        assert_eq!(shape.aliases, 4);
        assert_eq!(shape.root_fields, 4);
        assert_eq!((shape.requests, shape.nodes), (4, 5 + 2 + 2 + 20));
        assert_eq!((shape.directives, shape.directives_on.as_str()), (2, "field `tasks`"));
    }

    #[test]
    fn a_fragment_bomb_is_measured_quickly_and_saturates() {
        // Each fragment spreads the next one twice: 2^60 aliases once expanded.
        let mut query = String::from("{ ...F0 }\n");
        for i in 0..60 {
            query.push_str(&format!("fragment F{i} on Query {{ ...F{n} ...F{n} }}\n", n = i + 1));
        }
        query.push_str("fragment F60 on Query { a: __typename }\n");
        let shape = measure(&query, serde_json::json!({}));
        assert_eq!(shape.aliases, 1 << 60);
    }

    #[test]
    fn a_fragment_cycle_ends() {
        let shape = measure(
            "{ ...A } fragment A on Query { agencies { totalCount } ...B } fragment B on Query { ...A }",
            serde_json::json!({}),
        );
        assert_eq!(shape.root_fields, 1);
    }

    #[test]
    fn introspection_is_seen_and_its_nesting_is_not_counted() {
        let shape = measure(
            "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }",
            serde_json::json!({}),
        );
        assert!(shape.introspects);
        assert_eq!(shape.depth, 1);
        assert!(!measure("{ __typename }", serde_json::json!({})).introspects);
    }
}
