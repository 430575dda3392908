//! Small read helpers over `toml_edit`'s span-keeping document: a table may be written as a
//! `[table]`, an inline table or dotted keys, and callers should not care which.

use std::ops::Range;

use toml_edit::{Item, Table, TableLike, Value};

/// A view of a table-like item (a `[table]` or an inline `{ ... }`).
pub fn as_table_like(item: &Item) -> Option<&dyn TableLike> {
    item.as_table_like()
}

/// Looks up a dotted path of keys (`["tool", "uv"]`) under `table`.
pub fn get_path<'a>(table: &'a Table, path: &[&str]) -> Option<&'a Item> {
    let (first, rest) = path.split_first()?;
    let mut item = table.get(first)?;
    for key in rest {
        item = item.as_table_like()?.get(key)?;
    }
    Some(item)
}

/// The span of a key in a table-like, when it is present.
pub fn key_span(table: &dyn TableLike, key: &str) -> Option<Range<usize>> {
    table.get_key_value(key).and_then(|(k, _)| k.span())
}

/// Best span for an item: its own, else the key's.
pub fn item_span(table: &dyn TableLike, key: &str) -> Option<Range<usize>> {
    let (k, item) = table.get_key_value(key)?;
    item.span().or_else(|| k.span())
}

/// A string value with its span.
pub fn string(table: &dyn TableLike, key: &str) -> Option<(String, Range<usize>)> {
    let (k, item) = table.get_key_value(key)?;
    let v = item.as_str()?;
    Some((
        v.to_owned(),
        item.span().or_else(|| k.span()).unwrap_or(0..0),
    ))
}

/// A boolean value.
pub fn boolean(table: &dyn TableLike, key: &str) -> Option<bool> {
    table.get(key)?.as_bool()
}

/// The strings of an array value with their spans (non-strings are skipped; the schema
/// validation reports them).
pub fn strings(item: &Item) -> Vec<(String, Range<usize>)> {
    match item {
        Item::Value(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(|s| (s.to_owned(), v.span().unwrap_or(0..0))))
            .collect(),
        Item::Value(v @ Value::String(_)) => v
            .as_str()
            .map(|s| vec![(s.to_owned(), v.span().unwrap_or(0..0))])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The span of a table's header (`[tool.uv]`), or of its first key for dotted or inline forms.
pub fn table_span(item: &Item) -> Option<Range<usize>> {
    match item {
        Item::Table(t) => t
            .span()
            .or_else(|| t.iter().next().and_then(|(k, _)| t.key(k)?.span())),
        other => other.span(),
    }
}
