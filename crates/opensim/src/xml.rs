//! The reading layer under every file type: lines, labels, and strict access to an object's properties.
//!
//! Every object element is read through [`Obj`], which hands out its child elements by tag and, at the end
//! ([`Obj::finish`]), rejects any child nobody asked for. So a property this crate does not know is an error naming its
//! line, never a silently ignored setting.

use roxmltree::{Document, Node};

use crate::error::OsimError;

/// The deepest nesting of functions (a `MultiplierFunction` of a `MultiplierFunction` of ...) read before giving up;
/// it bounds the recursion on hostile input.
pub(crate) const MAX_FUNCTION_DEPTH: usize = 16;

/// The file being read: its label for messages and where its lines start.
pub(crate) struct Cx {
    file: String,
    line_starts: Vec<usize>,
}

impl Cx {
    pub(crate) fn new(file: &str, text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
        Cx { file: file.to_string(), line_starts }
    }

    /// The 1-based line of a node's start.
    pub(crate) fn line(&self, node: Node<'_, '_>) -> u32 {
        self.line_of_offset(node.range().start)
    }

    fn line_of_offset(&self, offset: usize) -> u32 {
        let index = self.line_starts.partition_point(|&start| start <= offset);
        u32::try_from(index.max(1)).unwrap_or(u32::MAX)
    }

    pub(crate) fn error(&self, line: u32, element: impl Into<String>, problem: impl Into<String>) -> OsimError {
        OsimError { file: self.file.clone(), line, element: element.into(), problem: problem.into() }
    }

    pub(crate) fn err_at(&self, node: Node<'_, '_>, element: &str, problem: impl Into<String>) -> OsimError {
        self.error(self.line(node), element, problem)
    }

    /// Parses the document, turning the parser's complaint into an error with its line.
    pub(crate) fn parse<'i>(&self, text: &'i str) -> Result<Document<'i>, OsimError> {
        Document::parse(text).map_err(|e| {
            // An unclosed root is found at the end of the text, but the parser names the root's line.
            let line = match e {
                roxmltree::Error::UnclosedRootNode => self.line_of_offset(text.len()),
                _ => e.pos().row,
            };
            self.error(line, "XML", format!("not well-formed XML: {e}"))
        })
    }
}

/// `Tag name` when the element has a name attribute, else `Tag`.
pub(crate) fn label(node: Node<'_, '_>) -> String {
    match node.attribute("name") {
        Some(name) if !name.is_empty() => format!("{} {}", node.tag_name().name(), name),
        _ => node.tag_name().name().to_string(),
    }
}

/// The element children of a node.
pub(crate) fn elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(|n| n.is_element())
}

/// A value quoted for a message, shortened when long.
pub(crate) fn quote(text: &str) -> String {
    let trimmed = text.trim();
    let mut shown: String = trimmed.chars().take(60).collect();
    if shown.len() < trimmed.len() {
        shown.push('…');
    }
    format!("\"{shown}\"")
}

/// One number as OpenSim (SimTK's `String::tryConvertToDouble`) reads it: decimal, or `inf`/`infinity`/`nan` in any
/// case with an optional sign.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok()
}

/// A boolean as SimTK reads it: `true`/`false` in any case (also `1`/`0`).
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// The text content of an element (its text children joined, comments skipped), or `None` if it holds elements.
pub(crate) fn text_of(node: Node<'_, '_>) -> Option<String> {
    if elements(node).next().is_some() {
        return None;
    }
    Some(node.children().filter(|n| n.is_text()).filter_map(|n| n.text()).collect())
}

/// Resolves a component path (`/bodyset/pelvis`, `pelvis_offset`, `../../ground`) against the absolute path of the
/// component owning the socket, as OpenSim's `ComponentPath` does: relative paths start at the owner. Returns the
/// normalised absolute path, or `None` if `..` climbs above the root or the path is empty.
pub(crate) fn resolve_path(owner: &str, path: &str) -> Option<String> {
    let path = path.trim();
    if path.is_empty() {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    let joined;
    let full = if path.starts_with('/') {
        path
    } else {
        joined = format!("{owner}/{path}");
        joined.as_str()
    };
    for part in full.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// An object element whose properties are taken one by one; whatever is left at [`Obj::finish`] is an error.
pub(crate) struct Obj<'a, 'i, 'c> {
    pub(crate) cx: &'c Cx,
    pub(crate) node: Node<'a, 'i>,
    pub(crate) label: String,
    kids: Vec<Node<'a, 'i>>,
    used: Vec<bool>,
}

impl<'a, 'i, 'c> Obj<'a, 'i, 'c> {
    pub(crate) fn new(cx: &'c Cx, node: Node<'a, 'i>) -> Self {
        let kids: Vec<_> = elements(node).collect();
        let used = vec![false; kids.len()];
        Obj { cx, node, label: label(node), kids, used }
    }

    pub(crate) fn line(&self) -> u32 {
        self.cx.line(self.node)
    }

    pub(crate) fn tag(&self) -> &'i str {
        self.node.tag_name().name()
    }

    /// An error at this object's own line.
    pub(crate) fn err(&self, problem: impl Into<String>) -> OsimError {
        self.cx.error(self.line(), self.label.clone(), problem)
    }

    /// An error at a property's line, charged to this object.
    pub(crate) fn err_at(&self, node: Node<'_, '_>, problem: impl Into<String>) -> OsimError {
        self.cx.err_at(node, &self.label, problem)
    }

    /// The required, non-empty `name` attribute.
    pub(crate) fn name(&self) -> Result<String, OsimError> {
        match self.node.attribute("name") {
            Some(name) if !name.trim().is_empty() => Ok(name.to_string()),
            _ => Err(self.err("has no name attribute")),
        }
    }

    /// The child element with this tag, if any; two of them is an error.
    pub(crate) fn take(&mut self, tag: &str) -> Result<Option<Node<'a, 'i>>, OsimError> {
        let mut found = None;
        for (i, kid) in self.kids.iter().enumerate() {
            if !self.used[i] && kid.tag_name().name() == tag {
                if found.is_some() {
                    return Err(self.err_at(*kid, format!("property {tag} appears twice")));
                }
                found = Some(i);
            }
        }
        Ok(found.map(|i| {
            self.used[i] = true;
            self.kids[i]
        }))
    }

    /// Marks these properties as read and ignored (display-only content).
    pub(crate) fn ignore(&mut self, tags: &[&str]) {
        for (i, kid) in self.kids.iter().enumerate() {
            if tags.contains(&kid.tag_name().name()) {
                self.used[i] = true;
            }
        }
    }

    /// The unread children so far.
    pub(crate) fn remaining(&self) -> Vec<Node<'a, 'i>> {
        self.kids.iter().zip(&self.used).filter(|(_, used)| !**used).map(|(k, _)| *k).collect()
    }

    /// Marks one child as read.
    pub(crate) fn mark(&mut self, node: Node<'a, 'i>) {
        for (i, kid) in self.kids.iter().enumerate() {
            if *kid == node {
                self.used[i] = true;
            }
        }
    }

    /// An object-valued property, in either of OpenSim's two spellings: `<prop><Type>...</Type></prop>` or
    /// `<Type name="prop">...</Type>`. Returns the object's element.
    pub(crate) fn take_object(&mut self, prop: &str) -> Result<Option<Node<'a, 'i>>, OsimError> {
        if let Some(wrapper) = self.take(prop)? {
            let inner: Vec<_> = elements(wrapper).collect();
            return match inner.as_slice() {
                [one] => Ok(Some(*one)),
                [] => Err(self.err_at(wrapper, format!("{prop} holds no object"))),
                [_, second, ..] => Err(self.err_at(*second, format!("{prop} holds more than one object"))),
            };
        }
        let mut found = None;
        for (i, kid) in self.kids.iter().enumerate() {
            if !self.used[i] && kid.attribute("name") == Some(prop) {
                if found.is_some() {
                    return Err(self.err_at(*kid, format!("property {prop} appears twice")));
                }
                found = Some(i);
            }
        }
        Ok(found.map(|i| {
            self.used[i] = true;
            self.kids[i]
        }))
    }

    /// A text property: its trimmed text and its element.
    pub(crate) fn text(&mut self, tag: &str) -> Result<Option<(String, Node<'a, 'i>)>, OsimError> {
        match self.take(tag)? {
            None => Ok(None),
            Some(node) => match text_of(node) {
                Some(text) => Ok(Some((text.trim().to_string(), node))),
                None => Err(self.err_at(node, format!("{tag} must hold text, not elements"))),
            },
        }
    }

    pub(crate) fn string(&mut self, tag: &str) -> Result<Option<String>, OsimError> {
        Ok(self.text(tag)?.map(|(t, _)| t))
    }

    fn number_in(&self, tag: &str, text: &str, node: Node<'_, '_>, allow_infinite: bool) -> Result<f64, OsimError> {
        match parse_number(text) {
            Some(v) if v.is_finite() || (allow_infinite && v.is_infinite()) => Ok(v),
            Some(_) => Err(self.err_at(node, format!("{tag} must be a finite number (got {})", quote(text)))),
            None => Err(self.err_at(node, format!("{tag} must be a number (got {})", quote(text)))),
        }
    }

    /// A finite number property.
    pub(crate) fn f64(&mut self, tag: &str) -> Result<Option<f64>, OsimError> {
        match self.text(tag)? {
            None => Ok(None),
            Some((text, node)) => self.number_in(tag, &text, node, false).map(Some),
        }
    }

    /// A number property that may be `Inf` or `-Inf` (control limits), never NaN.
    pub(crate) fn f64_or_infinite(&mut self, tag: &str) -> Result<Option<f64>, OsimError> {
        match self.text(tag)? {
            None => Ok(None),
            Some((text, node)) => self.number_in(tag, &text, node, true).map(Some),
        }
    }

    /// A required finite number.
    pub(crate) fn req_f64(&mut self, tag: &'static str) -> Result<f64, OsimError> {
        self.f64(tag)?.ok_or_else(|| self.err(format!("missing property {tag}")))
    }

    /// A finite number, or OpenSim's default (recorded in `defaults`) when absent.
    pub(crate) fn f64_or(
        &mut self,
        tag: &'static str,
        default: f64,
        defaults: &mut Vec<&'static str>,
    ) -> Result<f64, OsimError> {
        match self.f64(tag)? {
            Some(v) => Ok(v),
            None => {
                defaults.push(tag);
                Ok(default)
            }
        }
    }

    /// A list of numbers (whitespace separated). `allow_infinite` admits `Inf`.
    pub(crate) fn list(
        &mut self,
        tag: &str,
        allow_infinite: bool,
    ) -> Result<Option<(Vec<f64>, Node<'a, 'i>, String)>, OsimError> {
        match self.text(tag)? {
            None => Ok(None),
            Some((text, node)) => {
                let mut values = Vec::new();
                for word in text.split_whitespace() {
                    values.push(self.number_in(tag, word, node, allow_infinite).map_err(|_| {
                        self.err_at(node, format!("{tag} must be a list of numbers (got {})", quote(&text)))
                    })?);
                }
                Ok(Some((values, node, text)))
            }
        }
    }

    /// A list of exactly `N` finite numbers.
    pub(crate) fn array<const N: usize>(&mut self, tag: &str) -> Result<Option<[f64; N]>, OsimError> {
        match self.list(tag, false)? {
            None => Ok(None),
            Some((values, node, text)) => match <[f64; N]>::try_from(values.as_slice()) {
                Ok(array) => Ok(Some(array)),
                Err(_) => {
                    Err(self.err_at(node, format!("{tag} must have {} numbers (got {})", words(N), quote(&text))))
                }
            },
        }
    }

    pub(crate) fn bool(&mut self, tag: &str) -> Result<Option<bool>, OsimError> {
        match self.text(tag)? {
            None => Ok(None),
            Some((text, node)) => parse_bool(&text)
                .map(Some)
                .ok_or_else(|| self.err_at(node, format!("{tag} must be true or false (got {})", quote(&text)))),
        }
    }

    /// A boolean, or OpenSim's default (recorded in `defaults`) when absent.
    pub(crate) fn bool_or(
        &mut self,
        tag: &'static str,
        default: bool,
        defaults: &mut Vec<&'static str>,
    ) -> Result<bool, OsimError> {
        match self.bool(tag)? {
            Some(v) => Ok(v),
            None => {
                defaults.push(tag);
                Ok(default)
            }
        }
    }

    /// The `components` list every OpenSim 4 component may carry: accepted only empty.
    pub(crate) fn no_components(&mut self) -> Result<(), OsimError> {
        if let Some(node) = self.take("components")?
            && let Some(first) = elements(node).next()
        {
            return Err(self.cx.err_at(first, &label(first), "subcomponents (<components>) are not supported"));
        }
        Ok(())
    }

    /// Fails on the first child element nobody read.
    pub(crate) fn finish(self) -> Result<(), OsimError> {
        match self.remaining().first() {
            None => Ok(()),
            Some(node) => {
                Err(self.err_at(*node, format!("unknown or unsupported property <{}>", node.tag_name().name())))
            }
        }
    }
}

fn words(n: usize) -> String {
    match n {
        2 => "two".into(),
        3 => "three".into(),
        6 => "six".into(),
        other => other.to_string(),
    }
}

/// The objects of an OpenSim `Set` element (`<objects>`; `<groups>` are member lists and are ignored).
pub(crate) fn set_objects<'a, 'i>(cx: &Cx, set: Node<'a, 'i>) -> Result<Vec<Node<'a, 'i>>, OsimError> {
    let mut obj = Obj::new(cx, set);
    obj.ignore(&["groups"]);
    let objects = obj.take("objects")?;
    obj.finish()?;
    Ok(objects.map(|o| elements(o).collect()).unwrap_or_default())
}

/// Fails if a set holds any object: `what` says which kind of content is unsupported.
pub(crate) fn empty_set(cx: &Cx, set: Node<'_, '_>, what: &str) -> Result<(), OsimError> {
    match set_objects(cx, set)?.first() {
        None => Ok(()),
        Some(first) => Err(cx.err_at(*first, &label(*first), format!("{what} are not supported"))),
    }
}

/// The `Version` attribute of an `OpenSimDocument` root.
pub(crate) fn document_version(cx: &Cx, root: Node<'_, '_>) -> Result<u32, OsimError> {
    if root.tag_name().name() != "OpenSimDocument" {
        return Err(cx.err_at(root, &label(root), "the root element must be OpenSimDocument"));
    }
    let text = root.attribute("Version").ok_or_else(|| cx.err_at(root, "OpenSimDocument", "has no Version"))?;
    text.trim().parse::<u32>().map_err(|_| {
        cx.err_at(root, "OpenSimDocument", format!("Version must be a whole number (got {})", quote(text)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_like_component_paths() {
        assert_eq!(resolve_path("/jointset/hip_r", "pelvis_offset").as_deref(), Some("/jointset/hip_r/pelvis_offset"));
        assert_eq!(resolve_path("/jointset/hip_r", "/bodyset/pelvis").as_deref(), Some("/bodyset/pelvis"));
        assert_eq!(resolve_path("/jointset/hip_r", "../../ground").as_deref(), Some("/ground"));
        assert_eq!(resolve_path("/jointset/hip_r", "./a/../b").as_deref(), Some("/jointset/hip_r/b"));
        assert_eq!(resolve_path("/jointset", "../../x"), None);
        assert_eq!(resolve_path("/jointset", "  "), None);
    }

    #[test]
    fn lines_are_one_based() {
        let cx = Cx::new("f", "a\nbc\n\nd");
        assert_eq!(cx.line_of_offset(0), 1);
        assert_eq!(cx.line_of_offset(2), 2);
        assert_eq!(cx.line_of_offset(5), 3);
        assert_eq!(cx.line_of_offset(6), 4);
    }

    #[test]
    fn numbers_and_booleans_read_as_simtk_does() {
        assert_eq!(parse_number(" -Inf "), Some(f64::NEG_INFINITY));
        assert_eq!(parse_number("Infinity"), Some(f64::INFINITY));
        assert_eq!(parse_number("1.5e-3"), Some(1.5e-3));
        assert_eq!(parse_number("1,5"), None);
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("no"), None);
    }
}
