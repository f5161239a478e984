//! Random operations that are valid against the schema, generated from its SDL with a seeded
//! generator (the same seed gives the same operations): fields, arguments, nested selections,
//! fragments on interfaces, and values of every input type. Values come from pools that mix the
//! sample's real ids and codes with edge cases.

use std::collections::HashMap;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

struct Field {
    name: String,
    args: Vec<(String, Type)>,
    ty: Type,
}

enum Def {
    Object(Vec<Field>),
    /// An interface or union: selected through fragments on the objects that implement it.
    Abstract {
        fields: Vec<Field>,
        members: Vec<String>,
    },
    Enum(Vec<String>),
    Input(Vec<(String, Type)>),
    Scalar,
}

/// The schema's types, as read from its SDL.
pub struct Schema {
    types: HashMap<String, Def>,
}

impl Schema {
    pub fn from_sdl(sdl: &str) -> Schema {
        let document = parse_schema(sdl).expect("the SDL parses");
        let mut types = HashMap::new();
        let mut implementors: HashMap<String, Vec<String>> = HashMap::new();
        for definition in &document.definitions {
            let TypeSystemDefinition::Type(def) = definition else { continue };
            let name = def.node.name.node.to_string();
            let fields = |list: &[async_graphql::Positioned<async_graphql::parser::types::FieldDefinition>]| {
                list.iter()
                    .map(|f| Field {
                        name: f.node.name.node.to_string(),
                        args: f
                            .node
                            .arguments
                            .iter()
                            .map(|a| (a.node.name.node.to_string(), a.node.ty.node.clone()))
                            .collect(),
                        ty: f.node.ty.node.clone(),
                    })
                    .collect::<Vec<_>>()
            };
            let parsed = match &def.node.kind {
                TypeKind::Object(object) => {
                    for interface in &object.implements {
                        implementors.entry(interface.node.to_string()).or_default().push(name.clone());
                    }
                    Def::Object(fields(&object.fields))
                }
                TypeKind::Interface(interface) => Def::Abstract { fields: fields(&interface.fields), members: vec![] },
                TypeKind::Union(union) => Def::Abstract {
                    fields: vec![],
                    members: union.members.iter().map(|m| m.node.to_string()).collect(),
                },
                TypeKind::Enum(e) => Def::Enum(e.values.iter().map(|v| v.node.value.node.to_string()).collect()),
                TypeKind::InputObject(input) => Def::Input(
                    input.fields.iter().map(|f| (f.node.name.node.to_string(), f.node.ty.node.clone())).collect(),
                ),
                TypeKind::Scalar => Def::Scalar,
            };
            types.insert(name, parsed);
        }
        for (interface, objects) in implementors {
            if let Some(Def::Abstract { members, .. }) = types.get_mut(&interface) {
                members.extend(objects);
            }
        }
        Schema { types }
    }
}

/// The values that arguments are drawn from.
pub struct Pools {
    pub ids: Vec<String>,
    pub strings: Vec<String>,
    pub ints: Vec<i64>,
    pub dates: Vec<String>,
}

pub struct Generator<'a> {
    schema: &'a Schema,
    pools: Pools,
    /// The pool's ids by the type they name (`Agency`, `Task`, …).
    ids_by_type: HashMap<&'static str, Vec<String>>,
    pub rng: StdRng,
}

/// Where a value goes: the input field or argument, and the input type that holds it.
#[derive(Clone, Copy)]
struct Slot<'s> {
    field: &'s str,
    owner: &'s str,
}

/// The entity type an id in `slot` most likely names, from the field's name or else its owner's.
fn id_type(slot: Slot<'_>) -> Option<&'static str> {
    const BY_WORD: &[(&str, &str)] = &[
        ("assignment", "TaskAssignment"),
        ("report", "ProgressReport"),
        ("group", "TaskGroup"),
        ("task", "Task"),
        ("document", "Document"),
        ("legalbasis", "Document"),
        ("implements", "Document"),
        ("agency", "Agency"),
        ("issuer", "Agency"),
        ("lead", "Agency"),
        ("coordinator", "Agency"),
    ];
    let find = |text: &str| {
        let text = text.to_lowercase();
        BY_WORD.iter().find(|(word, _)| text.contains(word)).map(|(_, ty)| *ty)
    };
    find(slot.field).or_else(|| find(slot.owner))
}

/// Selections go this deep at most, so that one operation stays cheap.
const MAX_DEPTH: usize = 4;

impl<'a> Generator<'a> {
    pub fn new(schema: &'a Schema, pools: Pools, seed: u64) -> Self {
        let mut ids_by_type: HashMap<&'static str, Vec<String>> = HashMap::new();
        for id in &pools.ids {
            if let Ok(global) = api::ids::GlobalId::decode(id) {
                ids_by_type.entry(global.node_type.name()).or_default().push(id.clone());
            }
        }
        Self { schema, pools, ids_by_type, rng: StdRng::seed_from_u64(seed) }
    }

    /// An operation with one root field of `root` (`Query` or `Mutation`), and that field's name.
    pub fn operation(&mut self, root: &str) -> (String, String) {
        let Some(Def::Object(fields)) = self.schema.types.get(root) else { panic!("no {root} type") };
        let field = fields.choose(&mut self.rng).expect("root fields");
        let keyword = if root == "Mutation" { "mutation" } else { "query" };
        let body = self.field(field, 1);
        (format!("{keyword} Generated {{ {body} }}"), field.name.clone())
    }

    /// A field with arguments and, for an object type, a selection.
    fn field(&mut self, field: &Field, depth: usize) -> String {
        let mut out = field.name.clone();
        let mut args = Vec::new();
        for (name, ty) in &field.args {
            if !ty.nullable || self.rng.random_bool(0.35) {
                args.push(format!("{name}: {}", self.value(ty, 0, Slot { field: name, owner: &field.name })));
            }
        }
        if !args.is_empty() {
            out.push_str(&format!("({})", args.join(", ")));
        }
        let named = named(&field.ty);
        if self.is_composite(named) {
            out.push_str(&format!(" {{ {} }}", self.selection(named, depth + 1)));
        }
        out
    }

    fn is_composite(&self, name: &str) -> bool {
        matches!(self.schema.types.get(name), Some(Def::Object(_) | Def::Abstract { .. }))
    }

    /// A selection set on type `name`: some of its fields (only leaves at the depth limit).
    fn selection(&mut self, name: &str, depth: usize) -> String {
        let schema = self.schema;
        match schema.types.get(name) {
            Some(Def::Object(fields)) => {
                let candidates: Vec<&Field> = fields
                    .iter()
                    .filter(|f| depth < MAX_DEPTH || !self.is_composite(named(&f.ty)))
                    // A field with a required argument that is itself an object is fine; the
                    // generator fills every required argument.
                    .collect();
                if candidates.is_empty() {
                    return "__typename".to_owned();
                }
                let count = self.rng.random_range(1..=candidates.len().min(4));
                let chosen: Vec<&Field> = candidates.choose_multiple(&mut self.rng, count).copied().collect();
                chosen.iter().enumerate().map(|(i, f)| self.aliased(f, depth, i)).collect::<Vec<_>>().join(" ")
            }
            Some(Def::Abstract { fields, members }) => {
                let mut parts = vec!["__typename".to_owned()];
                let shared: Vec<&Field> = fields.iter().filter(|f| !self.is_composite(named(&f.ty))).collect();
                if let Some(f) = shared.choose(&mut self.rng) {
                    parts.push(self.field(f, depth));
                }
                if depth < MAX_DEPTH
                    && let Some(member) = members.choose(&mut self.rng)
                {
                    parts.push(format!("... on {member} {{ {} }}", self.selection(member, depth + 1)));
                }
                parts.join(" ")
            }
            _ => "__typename".to_owned(),
        }
    }

    /// The same field may be selected with different arguments: aliases keep them apart.
    fn aliased(&mut self, field: &Field, depth: usize, index: usize) -> String {
        let text = self.field(field, depth);
        if field.args.is_empty() { text } else { format!("a{index}: {text}") }
    }

    /// A literal of type `ty` for `slot`.
    fn value(&mut self, ty: &Type, depth: usize, slot: Slot<'_>) -> String {
        if ty.nullable && self.rng.random_bool(0.08) {
            return "null".to_owned();
        }
        match &ty.base {
            BaseType::List(inner) => {
                let n = self.rng.random_range(0..=3);
                let items: Vec<String> = (0..n).map(|_| self.value(inner, depth + 1, slot)).collect();
                format!("[{}]", items.join(", "))
            }
            BaseType::Named(name) => self.named_value(name.as_str(), depth, slot),
        }
    }

    fn named_value(&mut self, name: &str, depth: usize, slot: Slot<'_>) -> String {
        let schema = self.schema;
        match name {
            // The sample's entities are at version 1: most updates then get past the version check.
            "Int" if slot.field == "expectedVersion" && self.rng.random_bool(0.7) => "1".to_owned(),
            "Int" => self.pools.ints.choose(&mut self.rng).unwrap().to_string(),
            "Float" => ["0", "0.5", "1.0", "-1.5"].choose(&mut self.rng).unwrap().to_string(),
            "Boolean" => self.rng.random_bool(0.5).to_string(),
            "ID" => {
                // Mostly an id of the type the slot names, so that mutations get past the lookups.
                let typed = id_type(slot).and_then(|ty| self.ids_by_type.get(ty)).filter(|_| self.rng.random_bool(0.8));
                quote(typed.unwrap_or(&self.pools.ids).choose(&mut self.rng).unwrap())
            }
            "Date" => quote(self.pools.dates.choose(&mut self.rng).unwrap()),
            "DateTime" => quote(["2025-07-01T00:00:00Z", "2024-01-31T23:59:59+07:00"].choose(&mut self.rng).unwrap()),
            _ => match schema.types.get(name) {
                Some(Def::Enum(values)) => values.choose(&mut self.rng).unwrap().clone(),
                Some(Def::Input(fields)) => {
                    let mut parts = Vec::new();
                    for (field, ty) in fields {
                        if !ty.nullable || (depth < 3 && self.rng.random_bool(0.4)) {
                            parts.push(format!("{field}: {}", self.value(ty, depth + 1, Slot { field, owner: name })));
                        }
                    }
                    format!("{{{}}}", parts.join(", "))
                }
                // String and the other scalars (JSON) take any string.
                _ => quote(self.pools.strings.choose(&mut self.rng).unwrap()),
            },
        }
    }
}

/// The named type under any list and non-null wrappers.
fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(inner) => named(inner),
    }
}

/// A GraphQL string literal: JSON's escapes are GraphQL's.
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_operations_are_valid_against_the_schema() {
        let sdl = api::graphql::schema::sdl();
        let schema = Schema::from_sdl(&sdl);
        let pools =
            Pools { ids: vec!["x".into()], strings: vec!["s".into()], ints: vec![1], dates: vec!["2025-01-01".into()] };
        let mut generator = Generator::new(&schema, pools, 7);
        for root in ["Query", "Mutation"] {
            for _ in 0..300 {
                let (query, _) = generator.operation(root);
                async_graphql::parser::parse_query(&query).unwrap_or_else(|e| panic!("{query}: {e}"));
            }
        }
    }
}
