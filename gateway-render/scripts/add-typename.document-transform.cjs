// A codegen document transform (codegen.yml): adds `__typename` to the render server's
// operations exactly where Apollo Client's cache adds it (every selection set but an
// operation's root). The cache needs it to normalize objects and to match fragments. Apollo
// Client would add it to a document it sends, but with persisted documents it sends only an
// id, so the generated documents, and the manifest the API runs them from, must carry it.
const { addTypenameToDocument } = require('@apollo/client/utilities');

/** @param {{ documents: { document?: import('graphql').DocumentNode }[] }} options */
function transform({ documents }) {
  return documents.map((source) => ({
    ...source,
    document: source.document && addTypenameToDocument(source.document),
  }));
}

// `npm run codegen` imports this file as ESM and reads `transform` from the namespace, which
// Node fills only from exports it can see statically: hence the shorthand object literal.
module.exports = { transform };
