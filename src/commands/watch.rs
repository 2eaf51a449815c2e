//! Showing a collection as it runs: on a terminal a live progress bar (API calls, coverage
//! gaps, elapsed time) with a line above it per service read; with `-v` also a line per API
//! call; with `-q` nothing; in a pipeline only warnings. Collectors report through `tracing`
//! events (`crate::collect::events`); this is the one place that prints them.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

use crate::cli::CallArgs;
use crate::collect::events::{CALL, GAP, PROGRESS};

/// What is shown while a collection runs.
pub struct Watch {
    bar: Option<ProgressBar>,
    /// A line per API call.
    calls_shown: bool,
    /// A line per service read.
    progress_shown: bool,
    calls: AtomicU64,
    gaps: AtomicU64,
}

impl Watch {
    /// Starts showing what `args` ask for, for the rest of the process.
    pub fn start(args: &CallArgs) -> Arc<Watch> {
        let terminal = std::io::stderr().is_terminal();
        let bar = (terminal && !args.quiet).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} collecting for {elapsed}: {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message("starting");
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        let watch = Arc::new(Watch {
            bar,
            calls_shown: args.verbose,
            progress_shown: !args.quiet && (args.verbose || terminal),
            calls: AtomicU64::new(0),
            gaps: AtomicU64::new(0),
        });
        if !args.quiet {
            let subscriber = tracing_subscriber::registry().with(Shown(Arc::clone(&watch)));
            // A process runs one command: the first watch is the only one.
            let _ = tracing::subscriber::set_global_default(subscriber);
        }
        watch
    }

    /// Clears the bar before the command prints its summary.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(format!("onus: {text}")),
            None => eprintln!("onus: {text}"),
        }
    }

    fn counted(&self) {
        if let Some(bar) = &self.bar {
            let calls = self.calls.load(Ordering::Relaxed);
            let gaps = self.gaps.load(Ordering::Relaxed);
            bar.set_message(format!(
                "{}, {}",
                crate::words::count(calls, "API call"),
                crate::words::count(gaps, "coverage gap")
            ));
        }
    }
}

/// An event's message and `operation` field.
#[derive(Default)]
struct Fields {
    message: String,
    operation: String,
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "operation" {
            value.clone_into(&mut self.operation);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        }
    }
}

/// The watch as the layer events reach.
struct Shown(Arc<Watch>);

impl<S: Subscriber> Layer<S> for Shown {
    /// Only onus's own events: the SDKs' are never built.
    fn enabled(&self, meta: &Metadata<'_>, _: Context<'_, S>) -> bool {
        meta.target().starts_with("onus::")
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let watch = &self.0;
        let mut fields = Fields::default();
        event.record(&mut fields);
        match event.metadata().target() {
            CALL => {
                watch.calls.fetch_add(1, Ordering::Relaxed);
                if watch.calls_shown {
                    watch.line(&format!("call {}", fields.operation));
                }
                watch.counted();
            }
            GAP => {
                watch.gaps.fetch_add(1, Ordering::Relaxed);
                watch.counted();
            }
            PROGRESS if watch.progress_shown || *event.metadata().level() <= Level::WARN => {
                watch.line(&fields.message);
            }
            _ => {}
        }
    }
}
