// Who is who: the card's description, personality, scenario and catchphrases, and the persona.

import { expandMacros } from '../../macros';
import { expand, type RoleContext } from '../context';
import { JOIN } from '../parts';

/** The card fields, each with its label, blank lines between; empty fields left out. */
export function characterText(ctx: RoleContext): string {
  const { character } = ctx.input;
  const { labels, macros } = ctx;
  const personality = expand(ctx, character.personality);
  const scenario = expand(ctx, character.scenario);
  const catchphrases = (character.catchphrases ?? []).map((c) => expand(ctx, c)).filter(Boolean);
  return [
    expand(ctx, character.description),
    personality ? expandMacros(labels.personality, macros) + personality : '',
    scenario ? labels.scenario + scenario : '',
    catchphrases.length ? expandMacros(labels.catchphrases, macros) + catchphrases.join(labels.separator) : '',
  ]
    .filter(Boolean)
    .join(JOIN);
}

/** "About {{user}}: …" from the persona's description; empty without one. */
export function personaText(ctx: RoleContext): string {
  const description = expand(ctx, ctx.input.persona?.description);
  return description ? expandMacros(ctx.labels.persona, ctx.macros) + description : '';
}
