/** A mailed link that cannot be used: why, and where to ask for a new one. */
export function LinkProblem({
  title,
  message,
  askAgain,
}: {
  title: string;
  message: string;
  askAgain: { href: string; label: string };
}) {
  return (
    <div className="auth-page">
      <h1>{title}</h1>
      <p role="alert" className="error" data-testid="link-problem">
        {message}
      </p>
      <p>
        <a href={askAgain.href}>{askAgain.label}</a>
      </p>
    </div>
  );
}
