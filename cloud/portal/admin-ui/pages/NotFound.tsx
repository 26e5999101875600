import { Link } from '../components/Link.js';
import { PageHeader } from '../components/PageHeader.js';

export function NotFound({ path }: { path: string }) {
  return (
    <>
      <PageHeader title="Page not found" description={`There is no console page at ${path}.`} />
      <Link to={{ page: 'dashboard' }} class="button">
        Go to the dashboard
      </Link>
    </>
  );
}
