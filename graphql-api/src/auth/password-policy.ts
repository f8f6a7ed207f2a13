import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import type { ZxcvbnResult } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';
import { registerDecorator } from 'class-validator';
import type { ValidationArguments } from 'class-validator';
import { USER_LIMITS } from '../users';

/**
 * The password rule (OWASP ASVS 5.0 §6.2): 8 to 256 characters, counted as Unicode code points
 * (argon2 has no 72-byte limit), no composition rules, and not guessable: zxcvbn's score must be
 * at least 3 of 4 with the common and English dictionaries, the person's own name and e-mail
 * counting as known words.
 */
export const PASSWORD_POLICY = {
  minLength: USER_LIMITS.passwordMin,
  maxLength: USER_LIMITS.passwordMax,
  minScore: 3,
  /** zxcvbn looks at this many characters: a longer password is strong by length alone. */
  checkedLength: 40,
} as const;

/** What the sign-up form says next to the field, so the rule is known before it is broken. */
export const PASSWORD_RULE_TEXT =
  'At least 8 characters; not a common password, word or pattern (a few unrelated words work well)';

let factory: ZxcvbnFactory | undefined;

/**
 * One estimator per process, made on first use (loading the dictionaries takes ~200 ms).
 * `checkedLength` and a small l33t budget bound the CPU a hostile 256-character password can
 * cost on the event loop to a few tens of milliseconds.
 */
function estimator(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
    graphs: zxcvbnCommon.adjacencyGraphs,
    translations: zxcvbnEn.translations,
    maxLength: PASSWORD_POLICY.checkedLength,
    l33tMaxSubstitutions: 10,
  });
  return factory;
}

/** Loads the dictionaries now, so the first sign-up does not pay for it. */
export function warmUpPasswordPolicy(): void {
  estimator();
}

/** Length in Unicode code points (an emoji is one character, as a person counts it). */
export function passwordLength(password: string): number {
  return [...password].length;
}

// class-validator asks for the message right after the check failed: keep that one answer for
// it instead of estimating the same password twice (used once, then dropped: no password
// lingers in memory longer than its request).
let last: { key: string; result: ZxcvbnResult } | undefined;

/** Why a password is refused, in the library's words; null when it is acceptable. */
export function passwordWeakness(
  password: string,
  userInputs: readonly string[] = [],
): string | null {
  const key = JSON.stringify([password, userInputs]);
  const result = last?.key === key ? last.result : estimator().check(password, [...userInputs]);
  const refused = result.score < PASSWORD_POLICY.minScore;
  last = refused && last?.key !== key ? { key, result } : undefined;
  if (!refused) return null;
  const warning = result.feedback.warning ?? 'This password is too easy to guess.';
  return [warning, ...result.feedback.suggestions].join(' ');
}

/** The words of the person's own name and e-mail, which make a password guessable. */
function userInputsOf(object: object): string[] {
  const { name, email } = object as { name?: unknown; email?: unknown };
  const inputs: string[] = [];
  for (const value of [name, email]) {
    if (typeof value !== 'string') continue;
    inputs.push(value, ...value.split(/[^\p{L}\p{N}]+/u).filter((part) => part.length >= 3));
  }
  return inputs;
}

/**
 * class-validator decorator for a new password: `passwordLength` when outside 8–256
 * characters, else `passwordStrength` with zxcvbn's feedback as the message. The name and
 * e-mail of the same input object (sign-up) count as guessable words.
 */
export function AcceptablePassword(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    const property = String(propertyName);
    registerDecorator({
      name: 'passwordLength',
      target: target.constructor,
      propertyName: property,
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          passwordLength(value) >= PASSWORD_POLICY.minLength &&
          passwordLength(value) <= PASSWORD_POLICY.maxLength,
        defaultMessage: () =>
          `${property} must be ${PASSWORD_POLICY.minLength} to ${PASSWORD_POLICY.maxLength} characters long`,
      },
    });
    registerDecorator({
      name: 'passwordStrength',
      target: target.constructor,
      propertyName: property,
      validator: {
        // Length is the other constraint's job; judging a 3-character or 10 kB string here
        // would only repeat it (and cost CPU).
        validate: (value: unknown, args?: ValidationArguments) =>
          typeof value !== 'string' ||
          passwordLength(value) < PASSWORD_POLICY.minLength ||
          passwordLength(value) > PASSWORD_POLICY.maxLength ||
          passwordWeakness(value, args ? userInputsOf(args.object) : []) === null,
        defaultMessage: (args?: ValidationArguments) =>
          passwordWeakness(String(args?.value ?? ''), args ? userInputsOf(args.object) : []) ??
          'This password is too easy to guess.',
      },
    });
  };
}
