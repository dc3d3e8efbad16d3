// Dashboard links as a person can open them: the project filled in where it is known, otherwise the page
// that lists the projects (LiveKit Cloud has no placeholder that picks one; Supabase's "_" asks which).

const LIVEKIT_PROJECT_PAGE = 'cloud.livekit.io/projects/p_/';
export const LIVEKIT_PROJECTS = 'https://cloud.livekit.io/projects';

export interface KnownProjects {
  /** LiveKit Cloud's project id (p_…), from the LiveKit CLI's config. */
  liveKitProject?: string | undefined;
  /** The Supabase project URL, https://<ref>.supabase.co. */
  supabaseUrl?: string | undefined;
}

/** `link` (a settings link with a p_ or _ placeholder) for this person's project, or the projects list. */
export function dashboardLink(link: string, known: KnownProjects): string {
  if (link.includes(LIVEKIT_PROJECT_PAGE))
    return known.liveKitProject ? link.replace('/projects/p_/', `/projects/${encodeURIComponent(known.liveKitProject)}/`) : LIVEKIT_PROJECTS;
  const ref = /^https:\/\/([a-z0-9]+)\.supabase\.co\/?$/i.exec(known.supabaseUrl ?? '')?.[1];
  if (ref && link.includes('supabase.com/dashboard/project/_/')) return link.replace('/project/_/', `/project/${ref}/`);
  return link;
}
