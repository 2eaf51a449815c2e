//! The responsibility matrix: layers (rows) × service models (columns) → who owns the cell.
//! Matrices are data files in `matrices/`, built into the binary.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A layer of the stack, as rules name it. Matrices label these rows in their own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layer {
    Data,
    Endpoints,
    Identity,
    Application,
    Network,
    Host,
    Physical,
    Configuration,
}

impl Layer {
    pub const ALL: [Layer; 8] = [
        Layer::Data,
        Layer::Endpoints,
        Layer::Identity,
        Layer::Application,
        Layer::Network,
        Layer::Host,
        Layer::Physical,
        Layer::Configuration,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Layer::Data => "data",
            Layer::Endpoints => "endpoints",
            Layer::Identity => "identity",
            Layer::Application => "application",
            Layer::Network => "network",
            Layer::Host => "host",
            Layer::Physical => "physical",
            Layer::Configuration => "configuration",
        }
    }

    pub fn parse(id: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.id() == id)
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The service model a resource kind belongs to. `ControlPlane` is the cloud account's own
/// management plane: identity, audit logging and detection settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceModel {
    Iaas,
    Paas,
    Saas,
    ControlPlane,
}

impl ServiceModel {
    pub fn id(self) -> &'static str {
        match self {
            ServiceModel::Iaas => "iaas",
            ServiceModel::Paas => "paas",
            ServiceModel::Saas => "saas",
            ServiceModel::ControlPlane => "control-plane",
        }
    }
}

/// Who owns a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Owner {
    Customer,
    Shared,
    Provider,
}

impl Owner {
    pub fn id(self) -> &'static str {
        match self {
            Owner::Customer => "customer",
            Owner::Shared => "shared",
            Owner::Provider => "provider",
        }
    }
}

/// A column of a matrix: which service models it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub id: String,
    pub label: String,
    /// The service models whose resources land in this column (none for e.g. on-premises).
    #[serde(default)]
    pub models: Vec<ServiceModel>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A row: one layer and its owner per column (in column order, by column id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub layer: Layer,
    pub label: String,
    /// What the customer's job is in this layer, in plain words.
    pub customer_job: String,
    pub owners: std::collections::BTreeMap<String, Owner>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matrix {
    pub id: String,
    pub title: String,
    pub source: String,
    pub description: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// Where one result lands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub layer: Layer,
    /// The matrix column id.
    pub model: String,
    pub owner: Owner,
}

#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    #[error("unknown matrix `{0}`; known matrices: {1}")]
    Unknown(String, String),
    #[error("matrices/{file}:{line}:{column}: {message}")]
    Syntax {
        file: String,
        line: u64,
        column: u64,
        message: String,
    },
    #[error("matrices/{file}: {message}")]
    Invalid { file: String, message: String },
}

const BUILTIN: &[(&str, &str)] = &[
    (
        "microsoft-2017.yaml",
        include_str!("../../matrices/microsoft-2017.yaml"),
    ),
    (
        "microsoft-current.yaml",
        include_str!("../../matrices/microsoft-current.yaml"),
    ),
    ("aws.yaml", include_str!("../../matrices/aws.yaml")),
];

/// The default matrix: the seed's (Microsoft, 2017).
pub const DEFAULT: &str = "microsoft-2017";

impl Matrix {
    fn parse(file: &str, text: &str) -> Result<Matrix, MatrixError> {
        let m: Matrix = crate::yaml::from_str(text).map_err(|e| MatrixError::Syntax {
            file: file.to_owned(),
            line: e.line,
            column: e.column,
            message: e.message,
        })?;
        let invalid = |message: String| MatrixError::Invalid {
            file: file.to_owned(),
            message,
        };
        for row in &m.rows {
            for col in &m.columns {
                if !row.owners.contains_key(&col.id) {
                    return Err(invalid(format!(
                        "row {} has no owner for column {}",
                        row.layer, col.id
                    )));
                }
            }
            if let Some(extra) = row
                .owners
                .keys()
                .find(|k| !m.columns.iter().any(|c| &c.id == *k))
            {
                return Err(invalid(format!(
                    "row {} names unknown column {extra}",
                    row.layer
                )));
            }
        }
        for model in [
            ServiceModel::Iaas,
            ServiceModel::Paas,
            ServiceModel::Saas,
            ServiceModel::ControlPlane,
        ] {
            let n = m
                .columns
                .iter()
                .filter(|c| c.models.contains(&model))
                .count();
            if n > 1 {
                return Err(invalid(format!(
                    "service model {} is in {n} columns; it may be in one at most",
                    model.id()
                )));
            }
        }
        Ok(m)
    }

    /// A built-in matrix by id.
    pub fn builtin(id: &str) -> Result<Matrix, MatrixError> {
        for (file, text) in BUILTIN {
            if file.trim_end_matches(".yaml") == id {
                return Matrix::parse(file, text);
            }
        }
        Err(MatrixError::Unknown(
            id.to_owned(),
            Matrix::builtin_ids().join(", "),
        ))
    }

    pub fn builtin_ids() -> Vec<&'static str> {
        BUILTIN
            .iter()
            .map(|(f, _)| f.trim_end_matches(".yaml"))
            .collect()
    }

    pub fn row(&self, layer: Layer) -> Option<&Row> {
        self.rows.iter().find(|r| r.layer == layer)
    }

    pub fn column_for(&self, model: ServiceModel) -> Option<&Column> {
        self.columns.iter().find(|c| c.models.contains(&model))
    }

    /// The cell a result on `layer` for a resource of `model` lands in.
    pub fn cell(&self, layer: Layer, model: ServiceModel) -> Option<Cell> {
        let column = self.column_for(model)?;
        let owner = *self.row(layer)?.owners.get(&column.id)?;
        Some(Cell {
            layer,
            model: column.id.clone(),
            owner,
        })
    }
}

/// A plain-text table of a matrix, for `onus matrix show`.
pub fn render_text(m: &Matrix) -> String {
    let label_width = m
        .rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    let col_width = m
        .columns
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    let mut out = format!("{}\n{}\n\n{:<label_width$}", m.title, m.source, "layer");
    for c in &m.columns {
        out.push_str(&format!("  {:<col_width$}", c.label));
    }
    out.push('\n');
    for r in &m.rows {
        out.push_str(&format!("{:<label_width$}", r.label));
        for c in &m.columns {
            let owner = r.owners.get(&c.id).map_or("?", |o| o.id());
            out.push_str(&format!("  {owner:<col_width$}"));
        }
        out.push('\n');
    }
    for c in m.columns.iter().filter(|c| c.note.is_some()) {
        out.push_str(&format!(
            "\n{}: {}\n",
            c.label,
            c.note.as_deref().unwrap_or_default()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_matrices_parse() {
        for id in Matrix::builtin_ids() {
            let m = Matrix::builtin(id).unwrap();
            assert_eq!(m.id, id);
            for layer in [
                Layer::Data,
                Layer::Identity,
                Layer::Network,
                Layer::Host,
                Layer::Physical,
            ] {
                assert!(m.row(layer).is_some(), "{id} lacks {layer}");
            }
        }
    }

    #[test]
    fn seed_cells() {
        let m = Matrix::builtin(DEFAULT).unwrap();
        assert_eq!(
            m.cell(Layer::Network, ServiceModel::Iaas).unwrap().owner,
            Owner::Shared
        );
        assert_eq!(
            m.cell(Layer::Physical, ServiceModel::Iaas).unwrap().owner,
            Owner::Provider
        );
        assert_eq!(
            m.cell(Layer::Data, ServiceModel::Paas).unwrap().owner,
            Owner::Customer
        );
        assert_eq!(
            m.cell(Layer::Identity, ServiceModel::Paas).unwrap().owner,
            Owner::Shared
        );
        let current = Matrix::builtin("microsoft-current").unwrap();
        assert_eq!(
            current
                .cell(Layer::Network, ServiceModel::Iaas)
                .unwrap()
                .owner,
            Owner::Customer
        );
    }

    #[test]
    fn unknown_matrix_lists_known_ones() {
        let err = Matrix::builtin("nope").unwrap_err().to_string();
        assert!(err.contains("microsoft-2017"), "{err}");
    }
}
