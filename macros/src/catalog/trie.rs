//! Every message template of a catalog merged into one trie of pieces, so that the generated
//! matcher scans a common prefix such as `Error Status :` once for all entries. Built at
//! expansion from the checked catalog (where no two templates match the same messages).

use oss_callback_catalog::Catalog;
use oss_callback_catalog::message::Piece;

/// What a complete path through the trie produces.
#[derive(Clone)]
pub(crate) struct Leaf {
    /// Index of the entry in the catalog.
    pub(crate) entry: usize,
    /// Placeholder names in the order the path captures them.
    pub(crate) captures: Vec<String>,
}

/// One step from a node to the next.
pub(crate) struct Edge {
    pub(crate) piece: Piece,
    pub(crate) node: Node,
}

/// The templates that share a prefix, and the one that ends here.
#[derive(Default)]
pub(crate) struct Node {
    pub(crate) children: Vec<Edge>,
    pub(crate) leaf: Option<Leaf>,
}

/// All templates of a catalog, sharing common prefixes.
#[derive(Default)]
pub(crate) struct Trie {
    pub(crate) root: Node,
}

impl Trie {
    /// The trie of every message and alias of `catalog`, in catalog order.
    pub(crate) fn build(catalog: &Catalog) -> Trie {
        let mut trie = Trie::default();
        for (index, entry) in catalog.entries.iter().enumerate() {
            for template in entry.templates() {
                let captures = template
                    .placeholders()
                    .into_iter()
                    .map(str::to_owned)
                    .collect();
                trie.insert(
                    &template.pieces,
                    Leaf {
                        entry: index,
                        captures,
                    },
                );
            }
        }
        trie
    }

    /// Adds a template; an identical one already present keeps its place (validation
    /// refuses such catalogs).
    fn insert(&mut self, pieces: &[Piece], leaf: Leaf) {
        let mut node = &mut self.root;
        for piece in pieces {
            let index = match node.children.iter().position(|e| e.piece.same_step(piece)) {
                Some(index) => index,
                None => {
                    node.children.push(Edge {
                        piece: piece.clone(),
                        node: Node::default(),
                    });
                    node.children.len() - 1
                }
            };
            let Some(edge) = node.children.get_mut(index) else {
                return;
            };
            node = &mut edge.node;
        }
        node.leaf.get_or_insert(leaf);
    }

    /// The root's edges grouped by their first byte (lower case), in catalog order; `None`
    /// when a template does not start with a word.
    pub(crate) fn root_groups(&self) -> Option<Vec<(u8, Vec<&Edge>)>> {
        let mut groups: Vec<(u8, Vec<&Edge>)> = Vec::new();
        for edge in &self.root.children {
            let Piece::Word(word) = &edge.piece else {
                return None;
            };
            let first = word.bytes().next()?;
            match groups.iter_mut().find(|(byte, _)| *byte == first) {
                Some((_, edges)) => edges.push(edge),
                None => groups.push((first, vec![edge])),
            }
        }
        Some(groups)
    }
}
