// An AppState whose storage a test can reach: the app keeps its repositories private (components
// must go through its state classes), so tests that check what was stored get them here.

import { AppState, type AppDeps } from '../../../src/state/app.svelte';
import type { Repositories } from '../../../src/storage';

export type TestApp = AppState & { readonly repos: Repositories };

export function appWithRepos(deps: AppDeps): TestApp {
  let repos: Repositories | null = null;
  const app = new AppState({ ...deps, openRepositories: async (hooks) => (repos = await deps.openRepositories(hooks)) });
  Object.defineProperty(app, 'repos', {
    get: () => {
      if (!repos) throw new Error('Storage is not open: start the app first');
      return repos;
    },
  });
  return app as TestApp;
}

/** A new chat with `characterId`, saved at once (the app saves one on its first message): its id. */
export async function savedChat(app: TestApp, characterId: string): Promise<string> {
  const id = app.conversations.draft(characterId);
  const { conversation, messages } = app.conversations.draftOf(id)!;
  await app.repos.conversations.create(conversation, messages);
  return id;
}
