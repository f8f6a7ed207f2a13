/** The message a redirect or the route left for the page (`?notice=`), announced politely. */
export function Notice({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  return (
    <p role="status" className="notice" data-testid="notice">
      {text}
    </p>
  );
}
