//! A compact, read-only TOML value tree with byte spans, borrowed from the lock's text: what the
//! lock reader walks. It is built either by the fast scanner (`scan`) or, for anything the
//! scanner does not take, from a `toml_edit` document; both give the same spans.

use std::ops::Range;

use toml_edit::{Array, ArrayOfTables, Document, InlineTable, Item, Table, Value as TomlValue};

/// Index of a node in a [`Tree`].
pub(super) type NodeId = usize;

/// "No node" in the sibling and entry chains.
const NONE: usize = usize::MAX;

/// The root table's id.
pub(super) const ROOT: NodeId = 0;

pub(super) struct Tree<'s> {
    nodes: Vec<Node<'s>>,
    entries: Vec<Entry<'s>>,
}

struct Node<'s> {
    value: Val<'s>,
    span: Option<Range<usize>>,
    /// The next element of the array (or array of tables) holding this node.
    next: NodeId,
}

enum Val<'s> {
    String(&'s str),
    Integer(i64),
    Float,
    Boolean(bool),
    /// A TOML date-time literal, as text.
    Datetime(String),
    Array(List),
    /// A `[header]` table (`explicit`), or one only implied by a longer header.
    Table(Map, bool),
    InlineTable(Map),
    ArrayOfTables(List),
}

#[derive(Clone, Copy)]
struct List {
    first: NodeId,
    last: NodeId,
    len: usize,
}

#[derive(Clone, Copy)]
struct Map {
    first: usize,
    last: usize,
    len: usize,
}

struct Entry<'s> {
    key: &'s str,
    key_span: Option<Range<usize>>,
    value: NodeId,
    next: usize,
}

const EMPTY_LIST: List = List {
    first: NONE,
    last: NONE,
    len: 0,
};
const EMPTY_MAP: Map = Map {
    first: NONE,
    last: NONE,
    len: 0,
};

/// What a table-like node is, for the scanner's header rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TableKind {
    Explicit,
    Implicit,
    Inline,
    ArrayOfTables,
    NotATable,
}

impl<'s> Tree<'s> {
    /// A tree holding only an empty root table.
    pub(super) fn new(capacity: usize) -> Self {
        let mut nodes = Vec::with_capacity(capacity);
        nodes.push(Node {
            value: Val::Table(EMPTY_MAP, true),
            span: None,
            next: NONE,
        });
        Self {
            nodes,
            entries: Vec::with_capacity(capacity / 2),
        }
    }

    fn push(&mut self, value: Val<'s>, span: Option<Range<usize>>) -> NodeId {
        self.nodes.push(Node {
            value,
            span,
            next: NONE,
        });
        self.nodes.len() - 1
    }

    pub(super) fn string(&mut self, s: &'s str, span: Range<usize>) -> NodeId {
        self.push(Val::String(s), Some(span))
    }

    pub(super) fn integer(&mut self, n: i64, span: Range<usize>) -> NodeId {
        self.push(Val::Integer(n), Some(span))
    }

    pub(super) fn boolean(&mut self, b: bool, span: Range<usize>) -> NodeId {
        self.push(Val::Boolean(b), Some(span))
    }

    pub(super) fn array(&mut self, span: Option<Range<usize>>) -> NodeId {
        self.push(Val::Array(EMPTY_LIST), span)
    }

    pub(super) fn table(&mut self, span: Option<Range<usize>>, explicit: bool) -> NodeId {
        self.push(Val::Table(EMPTY_MAP, explicit), span)
    }

    pub(super) fn inline_table(&mut self, span: Option<Range<usize>>) -> NodeId {
        self.push(Val::InlineTable(EMPTY_MAP), span)
    }

    pub(super) fn array_of_tables(&mut self, span: Option<Range<usize>>) -> NodeId {
        self.push(Val::ArrayOfTables(EMPTY_LIST), span)
    }

    /// Sets a node's span once its end is known (arrays and inline tables).
    pub(super) fn set_span(&mut self, id: NodeId, span: Range<usize>) {
        if let Some(node) = self.nodes.get_mut(id) {
            node.span = Some(span);
        }
    }

    /// Appends `child` to an array or array of tables. False when `list` is neither.
    pub(super) fn push_element(&mut self, list: NodeId, child: NodeId) -> bool {
        let last = match self.nodes.get_mut(list).map(|n| &mut n.value) {
            Some(Val::Array(l) | Val::ArrayOfTables(l)) => {
                let last = l.last;
                if l.first == NONE {
                    l.first = child;
                }
                l.last = child;
                l.len += 1;
                last
            }
            _ => return false,
        };
        if let Some(node) = self.nodes.get_mut(last) {
            node.next = child;
        }
        true
    }

    /// Adds `key = value` to a table-like node. False when the key is already there (a TOML
    /// error) or `table` is not a table; `check_duplicates` is off for trees from a document
    /// `toml_edit` already validated.
    pub(super) fn insert(
        &mut self,
        table: NodeId,
        key: &'s str,
        key_span: Option<Range<usize>>,
        value: NodeId,
        check_duplicates: bool,
    ) -> bool {
        if check_duplicates && self.get(table, key).is_some() {
            return false;
        }
        let index = self.entries.len();
        let previous = match self.nodes.get_mut(table).map(|n| &mut n.value) {
            Some(Val::Table(m, _) | Val::InlineTable(m)) => {
                let last = m.last;
                if m.first == NONE {
                    m.first = index;
                }
                m.last = index;
                m.len += 1;
                last
            }
            _ => return false,
        };
        self.entries.push(Entry {
            key,
            key_span,
            value,
            next: NONE,
        });
        if let Some(entry) = self.entries.get_mut(previous) {
            entry.next = index;
        }
        true
    }

    /// The last table of an array of tables.
    pub(super) fn last_element(&self, list: NodeId) -> Option<NodeId> {
        match self.nodes.get(list).map(|n| &n.value) {
            Some(Val::ArrayOfTables(l) | Val::Array(l)) if l.last != NONE => Some(l.last),
            _ => None,
        }
    }

    pub(super) fn table_kind(&self, id: NodeId) -> TableKind {
        match self.nodes.get(id).map(|n| &n.value) {
            Some(Val::Table(_, true)) => TableKind::Explicit,
            Some(Val::Table(_, false)) => TableKind::Implicit,
            Some(Val::InlineTable(_)) => TableKind::Inline,
            Some(Val::ArrayOfTables(_)) => TableKind::ArrayOfTables,
            _ => TableKind::NotATable,
        }
    }

    // Reading.

    fn map(&self, id: NodeId) -> Option<Map> {
        match self.nodes.get(id).map(|n| &n.value) {
            Some(Val::Table(m, _) | Val::InlineTable(m)) => Some(*m),
            _ => None,
        }
    }

    fn list(&self, id: NodeId) -> Option<List> {
        match self.nodes.get(id).map(|n| &n.value) {
            Some(Val::Array(l) | Val::ArrayOfTables(l)) => Some(*l),
            _ => None,
        }
    }

    /// The value under `key` in a table-like node, with the key's span.
    pub(super) fn get(&self, table: NodeId, key: &str) -> Option<(Option<Range<usize>>, NodeId)> {
        self.entries(table)
            .find(|(k, _, _)| *k == key)
            .map(|(_, span, value)| (span, value))
    }

    /// The entries of a table-like node, in file order (nothing for other nodes).
    pub(super) fn entries(
        &self,
        table: NodeId,
    ) -> impl Iterator<Item = (&'s str, Option<Range<usize>>, NodeId)> + '_ {
        let mut next = self.map(table).map_or(NONE, |m| m.first);
        std::iter::from_fn(move || {
            let entry = self.entries.get(next)?;
            next = entry.next;
            Some((entry.key, entry.key_span.clone(), entry.value))
        })
    }

    /// The elements of an array or array of tables (nothing for other nodes).
    pub(super) fn elements(&self, list: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        let mut next = self.list(list).map_or(NONE, |l| l.first);
        std::iter::from_fn(move || {
            let current = next;
            next = self.nodes.get(current)?.next;
            Some(current)
        })
    }

    /// The number of elements of an array, or of entries of a table.
    pub(super) fn len(&self, id: NodeId) -> usize {
        self.list(id)
            .map(|l| l.len)
            .or_else(|| self.map(id).map(|m| m.len))
            .unwrap_or(0)
    }

    pub(super) fn span(&self, id: NodeId) -> Option<Range<usize>> {
        self.nodes.get(id).and_then(|n| n.span.clone())
    }

    pub(super) fn as_str(&self, id: NodeId) -> Option<&'s str> {
        match self.nodes.get(id).map(|n| &n.value) {
            Some(Val::String(s)) => Some(s),
            _ => None,
        }
    }

    pub(super) fn as_integer(&self, id: NodeId) -> Option<i64> {
        match self.nodes.get(id).map(|n| &n.value) {
            Some(Val::Integer(n)) => Some(*n),
            _ => None,
        }
    }

    pub(super) fn as_bool(&self, id: NodeId) -> Option<bool> {
        match self.nodes.get(id).map(|n| &n.value) {
            Some(Val::Boolean(b)) => Some(*b),
            _ => None,
        }
    }

    /// A date-time literal's text.
    pub(super) fn as_datetime(&self, id: NodeId) -> Option<&str> {
        match self.nodes.get(id).map(|n| &n.value) {
            Some(Val::Datetime(s)) => Some(s),
            _ => None,
        }
    }

    pub(super) fn is_table_like(&self, id: NodeId) -> bool {
        self.map(id).is_some()
    }

    pub(super) fn is_array(&self, id: NodeId) -> bool {
        matches!(self.nodes.get(id).map(|n| &n.value), Some(Val::Array(_)))
    }

    pub(super) fn is_array_of_tables(&self, id: NodeId) -> bool {
        matches!(
            self.nodes.get(id).map(|n| &n.value),
            Some(Val::ArrayOfTables(_))
        )
    }

    pub(super) fn is_inline_table(&self, id: NodeId) -> bool {
        matches!(
            self.nodes.get(id).map(|n| &n.value),
            Some(Val::InlineTable(_))
        )
    }

    /// The TOML type name, as `toml_edit` spells it.
    pub(super) fn type_name(&self, id: NodeId) -> &'static str {
        match self.nodes.get(id).map(|n| &n.value) {
            Some(Val::String(_)) => "string",
            Some(Val::Integer(_)) => "integer",
            Some(Val::Float) => "float",
            Some(Val::Boolean(_)) => "boolean",
            Some(Val::Datetime(_)) => "datetime",
            Some(Val::Array(_)) => "array",
            Some(Val::Table(..)) => "table",
            Some(Val::InlineTable(_)) => "inline table",
            Some(Val::ArrayOfTables(_)) => "array of tables",
            None => "none",
        }
    }
}

/// Copies a parsed `toml_edit` document into a tree (strings stay borrowed from the document).
pub(super) fn from_document<'d>(doc: &'d Document<&str>) -> Tree<'d> {
    let mut tree = Tree::new(doc.as_table().len() * 8);
    add_table_entries(&mut tree, ROOT, doc.as_table());
    tree
}

fn add_table_entries<'d>(tree: &mut Tree<'d>, id: NodeId, table: &'d Table) {
    for (key, item) in table {
        let key_span = table.key(key).and_then(toml_edit::Key::span);
        if let Some(child) = add_item(tree, item) {
            tree.insert(id, key, key_span, child, false);
        }
    }
}

fn add_item<'d>(tree: &mut Tree<'d>, item: &'d Item) -> Option<NodeId> {
    match item {
        Item::None => None,
        Item::Value(v) => Some(add_value(tree, v)),
        Item::Table(t) => {
            let id = tree.table(t.span(), !t.is_implicit());
            add_table_entries(tree, id, t);
            Some(id)
        }
        Item::ArrayOfTables(tables) => Some(add_array_of_tables(tree, tables)),
    }
}

fn add_array_of_tables<'d>(tree: &mut Tree<'d>, tables: &'d ArrayOfTables) -> NodeId {
    let id = tree.array_of_tables(tables.span());
    for t in tables {
        let child = tree.table(t.span(), true);
        add_table_entries(tree, child, t);
        tree.push_element(id, child);
    }
    id
}

fn add_value<'d>(tree: &mut Tree<'d>, value: &'d TomlValue) -> NodeId {
    let span = value.span();
    match value {
        TomlValue::String(s) => tree.push(Val::String(s.value()), span),
        TomlValue::Integer(n) => tree.push(Val::Integer(*n.value()), span),
        TomlValue::Float(_) => tree.push(Val::Float, span),
        TomlValue::Boolean(b) => tree.push(Val::Boolean(*b.value()), span),
        TomlValue::Datetime(d) => tree.push(Val::Datetime(d.value().to_string()), span),
        TomlValue::Array(a) => add_array(tree, a),
        TomlValue::InlineTable(t) => add_inline_table(tree, t),
    }
}

fn add_array<'d>(tree: &mut Tree<'d>, array: &'d Array) -> NodeId {
    let id = tree.array(array.span());
    for v in array {
        let child = add_value(tree, v);
        tree.push_element(id, child);
    }
    id
}

fn add_inline_table<'d>(tree: &mut Tree<'d>, table: &'d InlineTable) -> NodeId {
    let id = tree.inline_table(table.span());
    for (key, value) in table {
        let key_span = table.key(key).and_then(toml_edit::Key::span);
        let child = add_value(tree, value);
        tree.insert(id, key, key_span, child, false);
    }
    id
}
