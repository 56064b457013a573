// A real OpenID Connect provider for the single sign-on tests: node provider.mjs
// Environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma-separated),
// WRONG_JWKS=1 to publish a key other than the one it signs with (the bad-signature test).
// Sign-in uses oidc-provider's development interactions: any login name is accepted and becomes
// the subject; a name with an @ is also the e-mail claim.
import { generateKeyPairSync } from "node:crypto";
import Provider from "oidc-provider";

const port = Number(process.env.PORT || 0);
const issuer = `http://127.0.0.1:${port}`;

function rsaJwk() {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { ...privateKey.export({ format: "jwk" }), kid: "signing-key", use: "sig", alg: "RS256" };
}
const signing = rsaJwk();
const other = rsaJwk();

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: (process.env.REDIRECT_URIS || "").split(",").filter(Boolean),
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
  }],
  jwks: { keys: [signing] },
  pkce: { required: () => true },
  conformIdTokenClaims: false,
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const claims = { sub: id, name: id };
        if (id.includes("@")) Object.assign(claims, { email: id, email_verified: true });
        return claims;
      },
    };
  },
  features: { devInteractions: { enabled: true } },
});
provider.proxy = false;

if (process.env.WRONG_JWKS === "1") {
  const { d, p, q, dp, dq, qi, ...publicPart } = other;
  provider.use(async (ctx, next) => {
    if (ctx.path === "/jwks") {
      ctx.type = "application/jwk-set+json";
      ctx.body = { keys: [publicPart] };
      return;
    }
    await next();
  });
}

const server = provider.listen(port, "127.0.0.1", () => {
  console.log(`READY ${issuer}`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
