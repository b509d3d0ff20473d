// Outside the middleware's matcher: served without a token.
export default function Home() {
  return (
    <main>
      <h1>Keyway + Next.js</h1>
      <p>
        Public page. <code>GET /api/me</code> needs a Keyway access token with the <code>api:read</code> scope.
      </p>
    </main>
  );
}
