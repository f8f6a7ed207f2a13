import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';

/** Errors a response lists in full; the rest are summarised in one more error. */
export const MAX_LISTED_ERRORS = 20;

/**
 * The first {@link MAX_LISTED_ERRORS} errors, then one error saying how many more there were
 * (with the code they share, if they all share one). A document or a list can produce
 * thousands of errors (validation stops at 100, execution does not), which would make the
 * response far larger than anything the client needs to see.
 */
export function boundErrors(
  errors: readonly GraphQLFormattedError[],
): readonly GraphQLFormattedError[] {
  if (errors.length <= MAX_LISTED_ERRORS) return errors;
  const omitted = errors.slice(MAX_LISTED_ERRORS);
  const codes = new Set(omitted.map((error) => error.extensions?.code));
  const [code] = codes;
  return [
    ...errors.slice(0, MAX_LISTED_ERRORS),
    {
      message: `…and ${omitted.length.toLocaleString('en-US')} more error${omitted.length === 1 ? '' : 's'}`,
      extensions: {
        ...(codes.size === 1 && typeof code === 'string' ? { code } : {}),
        omittedErrors: omitted.length,
      },
    },
  ];
}

/**
 * Bounds the error list of every response (parse, validation and execution errors alike).
 * Listed after the plugins that rewrite errors, so it sees their final form.
 */
export const errorListPlugin: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind === 'single') {
          const { singleResult } = response.body;
          if (singleResult.errors) singleResult.errors = boundErrors(singleResult.errors);
        } else {
          const { initialResult } = response.body;
          if (initialResult.errors) initialResult.errors = boundErrors(initialResult.errors);
        }
      },
    };
  },
};
