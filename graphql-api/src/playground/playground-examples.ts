import { DEMO_USER } from '../seed/seed';
import type { PlaygroundTab } from './browser/playground-settings';

/** What the headers editors show when the API has no public key token configured. */
const KEY_PLACEHOLDER = '<the public API key token printed at start-up>';

/** The example tabs and the headers of a new tab, for {@link playgroundExamples}. */
export interface PlaygroundExamples {
  tabs: PlaygroundTab[];
  defaultHeaders: string;
}

// The comments are the tabs' instructions: short lines, so they fit the editor.
const MOVIES = `# The catalog, read with the public API key
# (X-API-Key, preset in the headers below).
# Press the run button (or Ctrl/Cmd + Enter).
query Movies {
  movies(first: 5) {
    totalCount
    edges {
      node {
        id
        title
        year
        tags
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
`;

const SIGN_IN = `# Signs in as the demo user \`npm start\` seeds.
# To act as that person in another tab, copy
# accessToken from the result into its headers:
#   "Authorization": "Bearer <accessToken>"
# The token lasts 15 minutes; sign in again for a new one.
# With two-factor on, the answer is MfaRequired: send its
# challengeId and a code to verifySecondFactor.
mutation SignIn($input: SignInInput!) {
  signIn(input: $input) {
    __typename
    ... on AuthPayload {
      accessToken
      accessTokenExpiresAt
      user {
        id
        name
        email
      }
    }
    ... on MfaRequired {
      challengeId
      methods
      expiresAt
    }
  }
}
`;

const USER_MOVIES = `# Your own list: it needs a signed-in person, not only
# the key. Run the SignIn tab, then uncomment the
# Authorization line in the headers below and paste
# its accessToken there.
query UserMovies {
  userMovies(first: 10) {
    totalCount
    edges {
      node {
        id
        createdAt
        movie {
          id
          title
          year
        }
      }
    }
  }
}
`;

/**
 * The playground's example tabs (`movies`, `signIn`, `userMovies`). Every tab's headers preset
 * the public key and show, commented out, where the Bearer token goes.
 */
export function playgroundExamples(publicApiKey: string | undefined): PlaygroundExamples {
  const headers =
    `{\n  "X-API-Key": ${JSON.stringify(publicApiKey ?? KEY_PLACEHOLDER)},\n` +
    '  // After signIn, uncomment and paste its accessToken:\n' +
    '  // "Authorization": "Bearer <accessToken>"\n}';
  const signInVariables = {
    input: { email: DEMO_USER.email, password: DEMO_USER.password, rememberMe: false },
  };
  return {
    // GraphiQL opens the first tab with the editors' initial values (empty variables, the
    // default headers), not the tab's own: so the first example needs no variables.
    tabs: [
      { query: MOVIES, headers },
      { query: SIGN_IN, variables: JSON.stringify(signInVariables, null, 2), headers },
      { query: USER_MOVIES, headers },
    ],
    defaultHeaders: headers,
  };
}
