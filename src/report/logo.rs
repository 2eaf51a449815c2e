//! The cover logo: an image file read once and embedded as a `data:` URI, so the report stays
//! one self-contained file.

use std::path::{Path, PathBuf};

/// A logo larger than this would bloat every report it is embedded in.
pub const MAX_BYTES: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum LogoError {
    #[error("{path}: cannot read the logo")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: the logo is {size} bytes; at most {MAX_BYTES} are embedded")]
    TooLarge { path: PathBuf, size: usize },
    #[error("{path}: not a PNG, JPEG, GIF, WebP or SVG image")]
    Format { path: PathBuf },
}

/// The image type, from the file's first bytes (SVG: an XML or `<svg` start).
fn media_type(bytes: &[u8]) -> Option<&'static str> {
    let text_start = || {
        let head = &bytes[..bytes.len().min(512)];
        let head = String::from_utf8_lossy(head).to_ascii_lowercase();
        let head = head.trim_start_matches('\u{feff}').trim_start();
        (head.starts_with("<?xml") || head.starts_with("<svg") || head.starts_with("<!--"))
            && String::from_utf8_lossy(bytes).contains("<svg")
    };
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if text_start() {
        Some("image/svg+xml")
    } else {
        None
    }
}

/// Reads an image and returns it as a `data:` URI. An SVG logo is shown through `<img>`, where
/// browsers run no script in it and load nothing it references.
pub fn data_uri(path: &Path) -> Result<String, LogoError> {
    let bytes = std::fs::read(path).map_err(|source| LogoError::Read {
        path: path.to_owned(),
        source,
    })?;
    if bytes.len() > MAX_BYTES {
        return Err(LogoError::TooLarge {
            path: path.to_owned(),
            size: bytes.len(),
        });
    }
    let media = media_type(&bytes).ok_or_else(|| LogoError::Format {
        path: path.to_owned(),
    })?;
    Ok(format!("data:{media};base64,{}", base64(&bytes)))
}

/// Standard base64 with padding (RFC 4648, section 4).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn images_are_recognised_by_their_bytes() {
        assert_eq!(media_type(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(
            media_type(b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Some("image/svg+xml")
        );
        assert_eq!(media_type(b"<html><script>"), None);
        assert_eq!(media_type(b"plain text"), None);
    }
}
