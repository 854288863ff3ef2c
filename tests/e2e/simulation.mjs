// The simulated engine's choice of a run's fate, as the core makes it
// (Outcome::for_run and seed in crates/core/src/analysis/outcome.rs: FNV-1a
// of the name and the run number, 60% succeed), so that a test can pick a
// name whose run ends as it needs.

function seed(name, run) {
  let h = 0xcbf29ce484222325n;
  const bytes = [...new TextEncoder().encode(name), run & 255, (run >> 8) & 255, (run >> 16) & 255, (run >>> 24) & 255];
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h ^ (h >> 29n);
}

/** The fate of run `run` of an analysis called `name` with `scans` scans. */
export function simulatedOutcome(name, run = 1, scans = 1) {
  const r = Number(seed(name, run) % 20n);
  if (r <= 11) return 'Succeeds';
  if (r <= 13) return scans < 2 ? 'ScanInterrupted' : 'SomeScansFailVerification';
  if (r === 14) return 'ScanInterrupted';
  if (r <= 16) return 'TimesOut';
  if (r === 17) return 'AllVerificationsFail';
  if (r === 18) return 'TechnicalIssue';
  return 'NotSubmitted';
}

/** The first name `<prefix> <n>` whose first run has this fate (and, with
 * `second`, whose second run has that one). */
export function nameWithOutcome(prefix, wanted, { scans = 1, second } = {}) {
  for (let i = 1; i < 10_000; i++) {
    const name = `${prefix} ${i}`;
    if (simulatedOutcome(name, 1, scans) !== wanted) continue;
    if (second && simulatedOutcome(name, 2, scans) !== second) continue;
    return name;
  }
  throw new Error(`no name for ${wanted}`);
}

/** Records the text of every notification the page ever shows (one that a
 * later one replaced included) in window.__toasts. */
export async function recordToasts(context) {
  await context.addInitScript(() => {
    window.__toasts = [];
    const seen = () => {
      for (const n of document.querySelectorAll('[data-testid=notification]')) {
        const t = n.textContent.replace(/\s+/g, ' ').trim();
        if (!window.__toasts.includes(t)) window.__toasts.push(t);
      }
    };
    new MutationObserver(seen).observe(document, { childList: true, subtree: true, characterData: true });
  });
}
