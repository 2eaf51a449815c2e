//! `onus matrix`: the built-in responsibility matrices.

use anyhow::Result;

use super::write;
use crate::cli::MatrixCommand;
use crate::matrix::Matrix;

pub fn run(cmd: &MatrixCommand) -> Result<u8> {
    match cmd {
        MatrixCommand::List => {
            let mut out = String::new();
            for id in Matrix::builtin_ids() {
                let m = Matrix::builtin(id)?;
                out.push_str(&format!("{:<20} {}\n", m.id, m.title));
            }
            write::text(None, &out)?;
        }
        MatrixCommand::Show { matrix } => {
            let m = Matrix::builtin(matrix)?;
            write::text(None, &crate::matrix::render_text(&m))?;
        }
    }
    Ok(0)
}
