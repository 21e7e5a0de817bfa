//! Atomic file writes: write a temporary file beside the target, then rename it into place, so that a reader
//! (or an interrupted run) never sees a half-written file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// A temporary path beside `path`, unique to this process.
pub(crate) fn temp_path(path: &Path) -> PathBuf {
    // Keep the extension last: image encoders pick the format from it.
    let stem = path.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let ext = path.extension().map(|e| format!(".{}", e.to_string_lossy())).unwrap_or_default();
    path.with_file_name(format!(".{stem}.tmp-{}{ext}", std::process::id()))
}

/// Writes `bytes` to `path` atomically.
pub(crate) fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = temp_path(path);
    let result = (|| -> Result<()> {
        let mut f = fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        f.write_all(bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
        // A write the disk has not taken (full, failing, a network file system that refuses) shows here; renaming
        // a file whose data may not be on disk would replace a good file with a broken one.
        f.sync_all().with_context(|| format!("cannot flush {} to disk", tmp.display()))?;
        fs::rename(&tmp, path).with_context(|| format!("cannot rename {} to {}", tmp.display(), path.display()))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Runs `produce(tmp)` to create a file at a temporary path, then renames it to `path`.
pub(crate) fn write_with(path: &Path, produce: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let tmp = temp_path(path);
    let flush = |tmp: &Path| -> Result<()> {
        let f = fs::File::open(tmp).with_context(|| format!("cannot reopen {}", tmp.display()))?;
        f.sync_all().with_context(|| format!("cannot flush {} to disk", tmp.display()))
    };
    match produce(&tmp).and_then(|()| flush(&tmp)).and_then(|()| {
        fs::rename(&tmp, path).with_context(|| format!("cannot rename {} to {}", tmp.display(), path.display()))
    }) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}
