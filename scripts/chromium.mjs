// Debian's Chromium, headless, driven by playwright-core (its own browser download cannot work
// here); the flags keep it off the network, which this machine's sandbox refuses anyway.
export async function launchChromium() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}
