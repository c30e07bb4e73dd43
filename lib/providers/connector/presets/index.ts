/** Presets: connectors switched on by their name alone in HELPDESK_CONFIG (plus credentials). */
import { frontDefaults, frontPreset } from './front.ts';
import { guidePreset } from './guide.ts';
import { helpscoutDefaults, helpscoutPreset } from './helpscout.ts';
import { jiraPreset } from './jira.ts';
import { zammadPreset } from './zammad.ts';

export const PRESETS: Readonly<Record<string, unknown>> = {
  guide: guidePreset,
  zammad: zammadPreset,
  jira: jiraPreset,
  helpscout: helpscoutPreset,
  front: frontPreset,
};

/** Settings a preset fills in when the deployment leaves them out (fixed API origins). */
export const PRESET_DEFAULTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  helpscout: helpscoutDefaults,
  front: frontDefaults,
};
