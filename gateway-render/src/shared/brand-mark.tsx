/** The product's mark (the favicon's drawing), inline in the header so it needs no request. */
export function BrandMark() {
  return (
    <svg
      className="brand-mark"
      viewBox="0 0 64 64"
      width="28"
      height="28"
      aria-hidden="true"
      focusable="false"
    >
      <rect x="6" y="12" width="52" height="40" rx="8" className="brand-mark-film" />
      <path d="M27 23v18l15-9z" className="brand-mark-play" />
    </svg>
  );
}
